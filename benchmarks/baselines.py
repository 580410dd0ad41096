"""Reference implementations of the Erlang-A queue for the speed comparison.

- :func:`plain_simpy`: the idiomatic SimPy model — one process per caller, a
  ``Resource`` of advisors, and a ``request | timeout(patience)`` race.
- :func:`ciw_model`: the same queue in Ciw (reneging via patience distributions).

Both return the number of calls simulated; they are benchmark-only code.
"""

from __future__ import annotations

import numpy as np
import simpy


def plain_simpy(
    calls_per_hour: float,
    servers: int,
    handle_min: float,
    patience_min: float,
    days: int,
    seed: int,
) -> int:
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    advisors = simpy.Resource(env, capacity=servers)
    horizon = days * 1440.0
    waits: list[float] = []

    def caller(env: simpy.Environment, patience: float, handle: float):
        arrived = env.now
        with advisors.request() as request:
            result = yield request | env.timeout(patience)
            if request in result:
                waits.append(env.now - arrived)
                yield env.timeout(handle)
            else:
                waits.append(-1.0)

    def arrivals(env: simpy.Environment):
        mean_gap = 60.0 / calls_per_hour
        while True:
            yield env.timeout(rng.exponential(mean_gap))
            env.process(caller(env, rng.exponential(patience_min), rng.exponential(handle_min)))

    env.process(arrivals(env))
    env.run(until=horizon)
    return len(waits)


def ciw_model(
    calls_per_hour: float,
    servers: int,
    handle_min: float,
    patience_min: float,
    days: int,
    seed: int,
) -> int:
    import ciw

    ciw.seed(seed)
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=calls_per_hour / 60)],
        service_distributions=[ciw.dists.Exponential(rate=1 / handle_min)],
        number_of_servers=[servers],
        reneging_time_distributions=[ciw.dists.Exponential(rate=1 / patience_min)],
    )
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(days * 1440.0)
    return len(sim.get_all_records())
