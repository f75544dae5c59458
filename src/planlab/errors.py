"""The project's error types: one base class, one line per problem.

Every problem with input names the file, the field, the sector (where there is
one) and the rule that was broken, so that a user can fix it without reading
a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["InputError", "PlanlabError", "Problem"]


class PlanlabError(ValueError):
    """Base class of every error planlab raises on purpose."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input: where it is and which rule it breaks."""

    file: str
    field: str
    rule: str
    message: str
    sector: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}: field '{self.field}'"
        if self.sector is not None:
            where += f", sector '{self.sector}'"
        return _one_line(f"{where}: {self.message} (rule: {self.rule})")


_LINE_BREAKS = MappingProxyType(
    {
        ord(c): repr(c)[1:-1]
        for c in "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029" + "".join(map(chr, range(0x1C)))
        if c != "\t"
    }
)
"""Every character str.splitlines() breaks at, and the other control characters (a null
byte in a file name), mapped to an escape sequence."""


def _one_line(text: str) -> str:
    """The text with line breaks escaped, so that one problem is one line.

    Labels and messages can come from the input (a quoted CSV cell may hold a
    newline); printed raw, they would split a problem over several lines.
    """
    return text.translate(_LINE_BREAKS)


class InputError(PlanlabError):
    """Input that cannot be used; holds every problem found, one line each."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        if not self.problems:
            raise ValueError("InputError needs at least one problem")
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def single(
        cls, file: str, field: str, rule: str, message: str, sector: str | None = None
    ) -> InputError:
        """An error with exactly one problem."""
        return cls([Problem(file=file, field=field, rule=rule, message=message, sector=sector)])

    def lines(self) -> Sequence[str]:
        """The problems as printable lines."""
        return [str(p) for p in self.problems]
