"""planlab: a laboratory for economic plans.

Balanced multi-year plans from input-output data, tempo checks with their
bottlenecks, plan execution under the frictions of the real economy, and open
plan discussion. Layers, lowest first: ``planlab.economy`` (data model, files,
Leontief analysis), ``planlab.plan`` (the plan LP and tempo check),
``planlab.simulate`` (plan execution month by month, households),
``planlab.scenarios`` (scenario files and the historical record) and
``planlab.report`` (readable summaries); ``planlab.cli`` is the command.
"""

from planlab.economy import Economy, analyse, load, load_builtin, save
from planlab.errors import InputError, PlanlabError, Problem

__version__ = "0.1.0"

__all__ = [
    "Economy",
    "InputError",
    "PlanlabError",
    "Problem",
    "__version__",
    "analyse",
    "load",
    "load_builtin",
    "save",
]
