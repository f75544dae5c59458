"""planlab: a laboratory for economic plans.

Balanced multi-year plans from input-output data, tempo checks with their
bottlenecks, plan execution under the frictions of the real economy, and open
plan discussion. Layers: ``planlab.economy`` (data model and Leontief analysis).
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
