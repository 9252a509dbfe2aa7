"""The Python baseline of the lint benchmark (benches/lint.rs).

A plain script doing what `touchpoint lint` minimally does to a flow: read
the YAML, build the graph of nodes and the edges between them, and find the
nodes no path from the start reaches and the nodes that lead nowhere. It is
the fair comparison the benchmark's aim is stated against: the same file,
a mature YAML reader (PyYAML with its libyaml C loader when it is
available) and a mature graph library (networkx).

Usage: python3 baseline_lint.py FLOW.yaml [RUNS]

Prints one line per run, `seconds <time>`, each run reading and parsing the
file again, so that the benchmark can take the median as it does for its
own measurements. The first line says which loader was used and the counts
found, so that a run that read nothing cannot pass for a fast one.
"""

import sys
import time

import networkx
import yaml

try:
    LOADER = yaml.CSafeLoader
    LOADER_NAME = "PyYAML CSafeLoader (libyaml)"
except AttributeError:
    LOADER = yaml.SafeLoader
    LOADER_NAME = "PyYAML SafeLoader (pure Python, libyaml missing)"

# Terminal kinds have no successors by design; a node of another kind with
# none is a dead end.
TERMINAL_KINDS = ("transfer", "end", "hangup", "return")


def handler_targets(handler):
    """The `then` of a handler written as a mapping (`{retries, then}`)."""
    if isinstance(handler, dict) and isinstance(handler.get("then"), str):
        yield handler["then"]


def targets(node):
    """Every node a node can lead to: `next`, `goto`, the options' and the
    switch entries' and the branches' `goto`, the handlers' `then`, `back`."""
    if not isinstance(node, dict):
        return
    for key in ("next", "goto", "back"):
        if isinstance(node.get(key), str):
            yield node[key]
    for key in ("options", "switch", "branches"):
        entries = node.get(key)
        if isinstance(entries, list):
            for entry in entries:
                if isinstance(entry, dict) and isinstance(entry.get("goto"), str):
                    yield entry["goto"]
    for key in ("no_input", "no_match", "invalid", "timeout"):
        yield from handler_targets(node.get(key))


def lint(path):
    with open(path, encoding="utf-8") as file:
        flow = yaml.load(file, Loader=LOADER)
    nodes = flow["nodes"]
    graph = networkx.DiGraph()
    graph.add_nodes_from(nodes)
    for name, node in nodes.items():
        for target in targets(node):
            graph.add_edge(name, target)
    # Flow-wide handlers lead every waiting node to their `then`.
    for handler in (flow.get("defaults") or {}).values():
        for target in handler_targets(handler):
            for name, node in nodes.items():
                if isinstance(node, dict) and any(k in node for k in ("menu", "ask")):
                    graph.add_edge(name, target)
    unknown = [n for n in graph.nodes if n not in nodes]
    reachable = networkx.descendants(graph, flow["start"]) | {flow["start"]}
    unreachable = [n for n in nodes if n not in reachable]
    dead_ends = [
        name
        for name, node in nodes.items()
        if graph.out_degree(name) == 0
        and not (isinstance(node, dict) and any(k in node for k in TERMINAL_KINDS))
    ]
    return len(nodes), graph.number_of_edges(), unknown, unreachable, dead_ends


def main():
    path = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    for run in range(runs):
        start = time.perf_counter()
        nodes, edges, unknown, unreachable, dead_ends = lint(path)
        elapsed = time.perf_counter() - start
        if run == 0:
            print(
                f"loader {LOADER_NAME}; {nodes} nodes, {edges} edges, "
                f"{len(unknown)} unknown targets, {len(unreachable)} unreachable, "
                f"{len(dead_ends)} dead ends"
            )
        print(f"seconds {elapsed:.6f}")


if __name__ == "__main__":
    main()
