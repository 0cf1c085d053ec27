"""State machines as tables: which action leads from which states to which state.

Pure Python, so property tests and pages read the same table the services obey.
"""

from dataclasses import dataclass


class IllegalTransition(Exception):
    """An action that the current state does not allow."""

    def __init__(self, machine: str, state: str, action: str):
        self.machine, self.state, self.action = machine, state, action
        super().__init__(f"{machine}: cannot {action} when {state}")


@dataclass(frozen=True)
class Machine:
    name: str
    initial: str
    final: frozenset[str]
    # action -> (states it may start from, state it leads to)
    moves: dict[str, tuple[frozenset[str], str]]

    def move(self, state: str, action: str) -> str:
        """The state after the action, or IllegalTransition."""
        sources, target = self.moves.get(action, (frozenset(), ""))
        if state not in sources:
            raise IllegalTransition(self.name, state, action)
        return target

    def allows(self, state: str, action: str) -> bool:
        return state in self.moves.get(action, (frozenset(), ""))[0]

    def allowed(self, state: str) -> list[str]:
        return [action for action, (sources, _) in self.moves.items() if state in sources]

    def sources(self, action: str) -> frozenset[str]:
        """The states the action may start from."""
        return self.moves[action][0]

    def ahead(self, state: str, action: str) -> bool:
        """Whether the action may still be taken from this state, now or after other moves."""
        seen, todo = set(), [state]
        while todo:
            current = todo.pop()
            if self.allows(current, action):
                return True
            seen.add(current)
            todo += [t for a, (s, t) in self.moves.items() if current in s and t not in seen]
        return False

    @property
    def states(self) -> set[str]:
        found = {self.initial} | set(self.final)
        for sources, target in self.moves.values():
            found |= sources | {target}
        return found


def machine(
    name: str, initial: str, final: set[str], moves: dict[str, tuple[set[str], str]]
) -> Machine:
    """A Machine from plain sets: ``moves`` maps action -> (source states, target state)."""
    return Machine(
        name, initial, frozenset(final), {a: (frozenset(s), t) for a, (s, t) in moves.items()}
    )
