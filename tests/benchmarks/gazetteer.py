"""The worldwide gazetteer: how long its index takes to load, the memory it adds to a process,
and how long a name takes to resolve. Each figure is measured in a fresh interpreter.

    .venv/bin/python -m tests.benchmarks.gazetteer
"""

import json
import statistics
import subprocess
import sys

_PROBE = r"""
import json, resource, sys, time, timeit
import app.core.normalize, app.gazetteer.gazetteer as g  # the modules: not the index
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
gazetteer = g.get_gazetteer()
seconds = time.perf_counter() - started
added = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
names = ["Kharkiv Oblast", "Barisāl Division", "Hilmand province", "Punjab", "UA-63", "Nowhere"]
number = 20000
micro = {
    n: timeit.timeit(lambda: gazetteer.find_provinces(n, country=None), number=number)
    / number * 1e6
    for n in names
}
districts = timeit.timeit(
    lambda: gazetteer.find_districts("Lashkar Gah", country="AFG"), number=number
) / number * 1e6
print(json.dumps({"seconds": seconds, "added_mb": added / 1024, "micro": micro,
                  "district_micro": districts, "units": len(gazetteer.provinces),
                  "districts": len(gazetteer.districts)}))
"""


def main() -> None:
    runs = [
        json.loads(
            subprocess.run(
                [sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(5)
    ]
    last = runs[-1]
    print(f"{last['units']} admin-1 units, {last['districts']} admin-2 units")
    print(
        f"index load: median {statistics.median(r['seconds'] for r in runs):.3f} s "
        f"(max {max(r['seconds'] for r in runs):.3f} s) over {len(runs)} fresh processes"
    )
    print(f"memory added (max RSS): median {statistics.median(r['added_mb'] for r in runs):.1f} MB")
    for name in last["micro"]:
        figure = statistics.median(r["micro"][name] for r in runs)
        print(f"resolve {name!r}: {figure:.2f} µs")
    print(
        f"resolve district 'Lashkar Gah': "
        f"{statistics.median(r['district_micro'] for r in runs):.2f} µs"
    )


if __name__ == "__main__":
    main()
