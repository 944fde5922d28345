#!/usr/bin/env python3
"""Structural checks of NodeNomad's rendered deployment files, standing in for a server-side dry run.

Usage: check-manifests.py compose FILE.yml (the output of `docker-compose config`) [--prod]
       check-manifests.py k8s RENDERED.yml --storage file|marten (the output of `kubectl kustomize`)
Prints one line per check ("ok: ..." or "FAILED: ...") and exits 1 when any failed.
"""
import re
import sys

import yaml

SECRET_NAME = re.compile(r"(SECRET|PASSWORD|TOKEN|API_KEYS?|CONNECTION)$")
failures = 0


def check(condition, what):
    global failures
    print(("ok: " if condition else "FAILED: ") + what)
    if not condition:
        failures += 1


def env_of(container):
    return {e["name"]: e for e in container.get("env", [])}


def check_compose(path, prod):
    with open(path, encoding="utf-8") as f:
        compose = yaml.safe_load(f)
    services = compose.get("services", {})
    check({"postgres", "node", "console"} <= set(services), f"{path}: services postgres, node and console")
    node = services.get("node", {})
    env = node.get("environment", {})
    check(env.get("STORAGE") == "marten", f"{path}: nodes on STORAGE=marten")
    check(not node.get("volumes"), f"{path}: nodes have no volume of their own")
    check(node.get("deploy", {}).get("replicas") == 3, f"{path}: three node replicas")
    check(str(env.get("NODE_ID_FROM", "")).startswith("dns:") and "{n}" in env.get("NODE_ID_FROM", ""),
          f"{path}: replicas take their id from DNS (NODE_ID_FROM=dns:...{{n}})")
    pattern = env.get("NODE_ID_FROM", "dns:")[4:]
    seeds = [s.split("=", 1) for s in env.get("CLUSTER_NODES", "").split(",") if "=" in s]
    check(len(seeds) == 3 and all(host == pattern.replace("{n}", id_[len("node-"):]) + ":" + str(env.get("PEER_PORT"))
                                  for id_, host in seeds),
          f"{path}: CLUSTER_NODES names the first three replicas by the id and host NODE_ID_FROM gives them")
    published = [str(p.get("published", "")) if isinstance(p, dict) else str(p).rsplit(":", 1)[0] for p in node.get("ports", [])]
    check(all("-" in p for p in published), f"{path}: node host ports are a range (or none), so the service scales")
    test = " ".join(node.get("healthcheck", {}).get("test", []))
    check("/health/ready" in test, f"{path}: node health check asks /health/ready")
    check("postgres" in str(node.get("depends_on", {})), f"{path}: nodes wait for PostgreSQL")
    check("ADMIN_TOKEN" in env, f"{path}: nodes carry ADMIN_TOKEN (protected mode: they listen beyond loopback)")
    check("CLUSTER_API_KEY" in services.get("console", {}).get("environment", {}), f"{path}: the console calls the nodes with CLUSTER_API_KEY")
    if prod:
        for name, service in services.items():
            limits = service.get("deploy", {}).get("resources", {}).get("limits", {})
            if name in ("postgres", "node", "console"):
                check("memory" in limits, f"{path}: {name} has a memory limit")
            check("build" not in service, f"{path}: {name} runs a published image, not a build")


def containers_of(doc):
    spec = doc.get("spec", {}).get("template", {}).get("spec", {})
    return spec.get("containers", [])


def check_k8s(path, storage):
    with open(path, encoding="utf-8") as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    by_kind = {}
    for d in docs:
        by_kind.setdefault(d["kind"], []).append(d)
    name = lambda d: d["metadata"]["name"]
    nodes = [d for d in by_kind.get("StatefulSet", []) if name(d) == "nodenomad-node"]
    check(len(nodes) == 1, f"{path}: nodes are the StatefulSet nodenomad-node")
    if not nodes:
        return
    node = nodes[0]
    labels = node["spec"]["template"]["metadata"]["labels"]
    check(node["spec"]["selector"]["matchLabels"].items() <= labels.items(), f"{path}: the StatefulSet's selector matches its pods")
    container = next(c for c in containers_of(node) if c["name"] == "node")
    env = env_of(container)
    check(container.get("readinessProbe", {}).get("httpGet", {}).get("path") == "/health/ready", f"{path}: readiness from /health/ready")
    check(container.get("livenessProbe", {}).get("httpGet", {}).get("path") == "/health/live", f"{path}: liveness from /health/live")
    pre_stop = container.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command", [])
    check("hand-over" in pre_stop, f"{path}: preStop runs the node's hand-over")
    grace = node["spec"]["template"]["spec"].get("terminationGracePeriodSeconds", 30)
    check(int(env.get("HAND_OVER_SECONDS", {}).get("value", 60)) < grace, f"{path}: the hand-over ends within the grace period")
    check(env.get("NODE_ID_FROM", {}).get("value") == "hostname", f"{path}: pods take their id from their name")
    seeds = [s.split("=", 1) for s in env.get("CLUSTER_NODES", {}).get("value", "").split(",")]
    service = node["spec"]["serviceName"]
    check(len(seeds) == 3 and all(host == f"{id_}.{service}:4001" for id_, host in seeds)
          and [id_ for id_, _ in seeds] == [f"{name(node)}-{i}" for i in range(3)],
          f"{path}: CLUSTER_NODES names pods 0-2 at their addresses under {service}")
    check("secretKeyRef" in env.get("ADMIN_TOKEN", {}).get("valueFrom", {}), f"{path}: ADMIN_TOKEN comes from the Secret (protected mode)")
    check(env.get("STORAGE", {}).get("value") == storage, f"{path}: STORAGE={storage}")
    claims = [t["metadata"]["name"] for t in node["spec"].get("volumeClaimTemplates", [])]
    mounts = {m["name"]: m["mountPath"] for m in container.get("volumeMounts", [])}
    if storage == "file":
        check("data" in claims and mounts.get("data") == "/data", f"{path}: each pod has a claim mounted on /data")
    else:
        check(not claims, f"{path}: nodes have no volume claim")
        check("MARTEN_CONNECTION" in env and "secretKeyRef" in env["MARTEN_CONNECTION"].get("valueFrom", {}),
              f"{path}: MARTEN_CONNECTION comes from the Secret")
        check(any(name(d) == "nodenomad-postgres" for d in by_kind.get("StatefulSet", [])), f"{path}: a PostgreSQL StatefulSet")
    pdbs = by_kind.get("PodDisruptionBudget", [])
    check(any(p["spec"]["selector"]["matchLabels"].items() <= labels.items() for p in pdbs), f"{path}: a PodDisruptionBudget selects the node pods")
    services = {name(s): s for s in by_kind.get("Service", [])}
    check(service in services and services[service]["spec"].get("clusterIP") == "None"
          and services[service]["spec"].get("publishNotReadyAddresses") is True,
          f"{path}: headless {service} publishes pods before they are ready")
    for s in services.values():
        pods = [d for kind in ("StatefulSet", "Deployment") for d in by_kind.get(kind, [])
                if s["spec"].get("selector", {}).items() <= d["spec"]["template"]["metadata"]["labels"].items()]
        check(bool(pods), f"{path}: Service {name(s)} selects pods")
    check(any(name(d) == "nodenomad-console" for d in by_kind.get("Deployment", [])), f"{path}: the console's Deployment")
    for kind in ("StatefulSet", "Deployment"):
        for d in by_kind.get(kind, []):
            pod = d["spec"]["template"]["spec"]
            check(pod.get("securityContext", {}).get("runAsNonRoot") is True, f"{path}: {name(d)} runs as non-root")
            for c in containers_of(d):
                image = c.get("image", "")
                check(":" in image and not image.endswith(":latest"), f"{path}: {name(d)} image {image} has a pinned tag")
                for e in c.get("env", []):
                    if SECRET_NAME.search(e["name"]):
                        check("value" not in e, f"{path}: {name(d)} {e['name']} is not a literal")
    check(not by_kind.get("Secret"), f"{path}: no Secret with values in the manifests (created beside them)")


def main(argv):
    if len(argv) >= 2 and argv[0] == "compose":
        check_compose(argv[1], "--prod" in argv)
    elif len(argv) == 4 and argv[0] == "k8s" and argv[2] == "--storage":
        check_k8s(argv[1], argv[3])
    else:
        print(__doc__)
        return 2
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
