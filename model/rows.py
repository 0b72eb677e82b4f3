"""Mesa agents that are views over one row of their system's state arrays.

Organisations and consultation counters keep their state in NumPy arrays, one row per
agent, so that the monthly rules run on whole arrays. The agent (a ``mesa.Agent``) has
a stable ``number`` — its row — and a ``system`` holding the arrays; a :class:`Column`
attribute reads and writes the agent's value in the array of the same name::

    class Counter(RowAgent):
        staff = Column()  # counter.staff is counter.system.staff[counter.number]
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np


class Column:
    """An agent's value in the system's array of the attribute's name, at its ``number``."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, agent: Any, owner: type | None = None) -> Any:
        if agent is None:
            return self
        return getattr(agent.system, self.name)[agent.number].item()

    def __set__(self, agent: Any, value: Any) -> None:
        getattr(agent.system, self.name)[agent.number] = value


class RowAgent(mesa.Agent):
    """A Mesa agent whose state is row ``number`` of the arrays of ``system``.

    ``number`` is the agent's stable id among its kind (never reused), its row, and the
    key of its random draws.
    """

    def __init__(self, model: mesa.Model, system: Any, number: int) -> None:
        super().__init__(model)
        self.system = system
        self.number = number


def grown(array: np.ndarray, rows: int) -> np.ndarray:
    """``array`` copied into a new one of ``rows`` rows (the rest zero)."""
    new = np.zeros((rows, *array.shape[1:]), dtype=array.dtype)
    new[: array.shape[0]] = array
    return new
