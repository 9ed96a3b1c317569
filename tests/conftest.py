"""Test-wide settings: one torch thread (CI has two cores) and float64 reference math."""

import torch

torch.set_num_threads(1)
