"""Network populations: seeds and initialisation, stacked training, FORCE / R-FORCE, checkpoints.

Entry point for the workflow: :func:`train_shard` over a :class:`ShardSpec`. Figures use
:mod:`aelle.models.inspect`.
"""

from aelle.models.checkpoint import load_checkpoint, population_from_checkpoint, save_checkpoint
from aelle.models.force import FORCE_ARCHS, ForcePopulation, spectrum_start, teacher_forced_states
from aelle.models.population import Population
from aelle.models.seeds import draw_p, network_id, network_seed
from aelle.models.shard import ShardSpec
from aelle.models.training import RECORD_COLUMNS, choose_path, train_shard

__all__ = [
    "FORCE_ARCHS",
    "RECORD_COLUMNS",
    "ForcePopulation",
    "Population",
    "ShardSpec",
    "choose_path",
    "draw_p",
    "load_checkpoint",
    "network_id",
    "network_seed",
    "population_from_checkpoint",
    "save_checkpoint",
    "spectrum_start",
    "teacher_forced_states",
    "train_shard",
]
