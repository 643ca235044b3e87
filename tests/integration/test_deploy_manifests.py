#!/usr/bin/env python3
"""test_deploy_manifests.py -- docker-compose.yml and infra/k8s/ stay in step
with the code (no Docker engine or cluster runs here). TAP output.

Checks: every service folder with a main.c (except ctl) has a compose
service and a Kubernetes Deployment running its binary; every health port
and probe path they name is the one the code serves; every PUPNS_* variable
they name is read by the code; every command, image path, file and Secret
they name exists; the Kafka cluster has three nodes that agree; each service
gets only the keys it needs.
"""
import glob
import os
import re
import subprocess
import sys

import yaml

TOP = os.environ.get("TOP") or os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
N = 0
FAILED = 0


def ok(cond, name, why=""):
    global N, FAILED
    N += 1
    if cond:
        print(f"ok {N} - {name}")
    else:
        FAILED += 1
        print(f"not ok {N} - {name}")
        if why:
            print(f"#   {why}")


def read(rel):
    with open(os.path.join(TOP, rel), encoding="utf-8") as f:
        return f.read()


print("TAP version 13")

# --- what the code has ---------------------------------------------------------
SERVICES = sorted(os.path.basename(os.path.dirname(p)) for p in glob.glob(os.path.join(TOP, "services/*/main.c")))
DEPLOYED = [s for s in SERVICES if s != "ctl"]
BINARIES = {f"pupns-{s}" for s in SERVICES} | {"pupns-seed"}
# Services with operators' endpoints on PUPNS_HEALTH_PORT: their main calls pc_health_start.
HEALTH_SERVICES = sorted(s for s in DEPLOYED if "pc_health_start" in read(f"services/{s}/main.c"))

config_c = read("libcommon/config.c")
CONFIG_VARS = set(re.findall(r'"(PUPNS_[A-Z0-9_]+)"', config_c))
code_text = ""
for pat in ("libcommon/*.[ch]", "services/**/*.[ch]", "infra/container/entrypoint.sh"):
    for p in glob.glob(os.path.join(TOP, pat), recursive=True):
        with open(p, encoding="utf-8", errors="replace") as f:
            code_text += f.read()
CODE_VARS = set(re.findall(r"PUPNS_[A-Z0-9_]*[A-Z0-9]", code_text))
ok(len(CONFIG_VARS) > 10, f"libcommon/config.c names {len(CONFIG_VARS)} PUPNS_* variables")

# The configuration table the binaries print (checked at the end against
# the variables the manifests name, when a build exists).
gw = None
for d in (os.environ.get("BIN_DIR", ""), *sorted(glob.glob(os.path.join(TOP, "build*/rel/bin")))):
    if d and os.access(os.path.join(d, "pupns-gateway"), os.X_OK):
        gw = os.path.join(d, "pupns-gateway")
        break
NAMED = set()  # every PUPNS_* variable the manifests name

health_paths_ok = all(p in read("libcommon/health.c") for p in ("/healthz", "/readyz"))
gw_text = "".join(read(os.path.relpath(p, TOP)) for p in glob.glob(os.path.join(TOP, "services/gateway/*.c")))
ok(health_paths_ok and "/healthz" in gw_text and "/readyz" in gw_text,
   "the code serves /healthz and /readyz (libcommon/health.c, the gateway)")
HTTP_PORT_DEFAULT = re.search(r'"PUPNS_HTTP_PORT",\s*\d+,\s*\d+,\s*"(\d+)"', config_c).group(1)

# Who gets which key: the split of infra/stack/svc.sh.
# Every key: what the default case of svc.sh takes away from other services.
svc_sh = read("infra/stack/svc.sh")
m = re.search(r"^\s*\*\) unset ([A-Z_ ]+);;", svc_sh, re.M)
ALL_KEYS = set(m.group(1).split()) if m else set()
ok(ALL_KEYS and ALL_KEYS <= CONFIG_VARS, f"svc.sh names {len(ALL_KEYS)} keys, all in libcommon/config.c", str(sorted(ALL_KEYS)))
KEYS = {}
for s in DEPLOYED:
    m = re.search(rf"^\s*{s}\) unset ([A-Z_ ]+);;", svc_sh, re.M) or re.search(r"^\s*\*\) unset ([A-Z_ ]+);;", svc_sh, re.M)
    KEYS[s] = ALL_KEYS - set(m.group(1).split()) if m else set()
ok(KEYS.get("gateway") == {"PUPNS_REGISTRATION_PUBLIC_KEY", "PUPNS_FLOW_KEY"}
   and "PUPNS_REGISTRATION_SECRET_KEY" in KEYS.get("registration", set()),
   "svc.sh's key split read (gateway: public + flow key; registration: the pair + pepper)", str(KEYS))

# Stack health ports: svc.sh gives a port to exactly the services that serve one.
stack_health = sorted(re.findall(r"^\s*([a-z]+)\) echo \$\(\(STACK_BASE \+ 10 \* \$2 \+ \d\)\)", svc_sh, re.M))
ok(stack_health == HEALTH_SERVICES, "infra/stack/svc.sh gives a health port to every service that serves one",
   f"svc.sh {stack_health}, code {HEALTH_SERVICES}")

# --- the image -----------------------------------------------------------------
dockerfile = read("infra/container/Dockerfile")
copies = []  # (src, dest) of the final stage's COPY lines from the context
for m in re.finditer(r"^COPY\s+(?!--from)(\S+)\s+(\S+)\s*$", dockerfile, re.M):
    copies.append((m.group(1), m.group(2)))
missing = [s for s, _ in copies if not os.path.exists(os.path.join(TOP, s))]
ok(copies and not missing, f"every COPY source of the Dockerfile exists ({len(copies)})", f"missing: {missing}")
builds_all = "services/*/main.c" in dockerfile or all(f"build/rel/bin/pupns-{s}" in dockerfile for s in SERVICES)
ok(builds_all and "pupns-seed" in dockerfile, "the image builds every service binary and pupns-seed")
m = re.search(r'^ENTRYPOINT \["([^"]+)"\]', dockerfile, re.M)
ENTRYPOINT = m.group(1) if m else None
ok(ENTRYPOINT and any(d == ENTRYPOINT and os.path.isfile(os.path.join(TOP, s)) for s, d in copies),
   f"the image's entry point {ENTRYPOINT} is copied from the tree")


def image_path_ok(path):
    """An absolute path inside the image exists: it is under a COPY destination."""
    if path in ("/usr/local/bin/pupns-entrypoint",):
        return path == ENTRYPOINT
    for src, dest in copies:
        d = dest.rstrip("/")
        if path == d or path.startswith(d + "/"):
            return os.path.exists(os.path.join(TOP, src, path[len(d) + 1:]) if path != d else os.path.join(TOP, src))
    return False


def check_command(where, cmd):
    """The command's binary is built into the image; its /srv paths exist."""
    args = [a for a in cmd if a != ENTRYPOINT]
    good = bool(args) and args[0] in BINARIES
    bad_paths = [a for a in args if a.startswith("/srv/") and not image_path_ok(a)]
    ok(good and not bad_paths, f"{where}: command {' '.join(args[:3])} exists in the image",
       f"binary {args[:1]}, missing paths {bad_paths}")


# The entry point turns mounted files into variables.
import tempfile
with tempfile.TemporaryDirectory() as d:
    with open(os.path.join(d, "PUPNS_FLOW_KEY"), "w") as f:
        f.write("ab" * 32 + "\n")
    env = dict(os.environ, PUPNS_SECRETS_DIR=d)
    env.pop("PUPNS_FLOW_KEY", None)
    out = subprocess.run(["sh", os.path.join(TOP, "infra/container/entrypoint.sh"), "sh", "-c", 'printf %s "$PUPNS_FLOW_KEY"'],
                         capture_output=True, text=True, env=env, timeout=10)
    ok(out.stdout == "ab" * 32, "entrypoint.sh exports PUPNS_* files of PUPNS_SECRETS_DIR", out.stderr)

# --- docker-compose.yml ---------------------------------------------------------
compose = yaml.safe_load(read("docker-compose.yml"))
cs = compose.get("services", {})
ok(isinstance(cs, dict) and cs, "docker-compose.yml parses")
build = (cs.get("gateway") or {}).get("build", {})
ok(os.path.isfile(os.path.join(TOP, build.get("context", "."), build.get("dockerfile", "Dockerfile"))),
   "compose builds the image from infra/container/Dockerfile")

kafka = {n: c for n, c in cs.items() if str(c.get("image", "")).startswith("apache/kafka")}
ok(len(kafka) == 3, f"compose runs three Kafka nodes ({sorted(kafka)})")
ids, voters, cluster_ids, adv = set(), set(), set(), {}
for n, c in kafka.items():
    e = c.get("environment", {})
    ids.add(str(e.get("KAFKA_NODE_ID")))
    voters.add(e.get("KAFKA_CONTROLLER_QUORUM_VOTERS"))
    cluster_ids.add(e.get("CLUSTER_ID"))
    adv[n] = e.get("KAFKA_ADVERTISED_LISTENERS", "")
    ok("broker" in e.get("KAFKA_PROCESS_ROLES", "") and "controller" in e.get("KAFKA_PROCESS_ROLES", ""),
       f"compose {n} is broker and controller")
    ok(str(e.get("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR")) == "3" and str(e.get("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR")) == "2",
       f"compose {n}: internal topics RF 3, min ISR 2")
    ok(re.search(r"-Xmx(\d+)m", e.get("KAFKA_HEAP_OPTS", "")) and int(re.search(r"-Xmx(\d+)m", e["KAFKA_HEAP_OPTS"]).group(1)) <= 512,
       f"compose {n}: heap at most 512 MB")
ok(ids == {"1", "2", "3"} and len(voters) == 1 and len(cluster_ids) == 1 and None not in cluster_ids,
   "compose Kafka nodes: ids 1..3, one voter list, one cluster id")
vl = next(iter(voters)) or ""
ok(sorted(v.split("@")[1].split(":")[0] for v in vl.split(",") if "@" in v) == sorted(kafka),
   "the controller quorum names every Kafka node", vl)

pupns = {n: c for n, c in cs.items() if c.get("image") == "pupns:latest"}
for s in DEPLOYED:
    c = cs.get(s)
    ok(c is not None and c.get("command", [None])[0] == f"pupns-{s}", f"compose has service {s} running pupns-{s}")
for n, c in pupns.items():
    check_command(f"compose {n}", c.get("command", []))
    env = c.get("environment", {}) or {}
    names = set(env) | {x.get("target") for x in c.get("secrets", []) if isinstance(x, dict)}
    NAMED.update(v for v in names if v and v.startswith("PUPNS_"))
    unknown = sorted(v for v in names if v and v.startswith("PUPNS_") and v not in CODE_VARS)
    ok(not unknown, f"compose {n}: every PUPNS_* variable exists in the code", f"unknown: {unknown}")
    brokers = env.get("PUPNS_KAFKA_BROKERS", "")
    ok(sorted(b.split(":")[0] for b in brokers.split(",")) == sorted(kafka)
       and all(f"//{b}" in adv[b.split(':')[0]] for b in brokers.split(",") if b.split(":")[0] in adv),
       f"compose {n}: PUPNS_KAFKA_BROKERS lists every Kafka node at its advertised listener", brokers)
    deps = c.get("depends_on", {})
    ok(all(k in deps for k in kafka), f"compose {n} waits for the three Kafka nodes")
for s in DEPLOYED:
    c = cs.get(s) or {}
    got = {x.get("target") for x in c.get("secrets", []) if isinstance(x, dict)}
    ok(got == KEYS[s], f"compose {s} gets exactly its keys, as files", f"got {sorted(got)}, want {sorted(KEYS[s])}")
    ok("topics" in c.get("depends_on", {}), f"compose {s} starts after the topics exist")
    hc = " ".join(c.get("healthcheck", {}).get("test", []))
    env = c.get("environment", {}) or {}
    if s in HEALTH_SERVICES:
        port = str(env.get("PUPNS_HEALTH_PORT", ""))
        ok(port and f":{port}/readyz" in hc, f"compose {s}: health check on /readyz of PUPNS_HEALTH_PORT {port}", hc)
    elif s == "gateway":
        port = str(env.get("PUPNS_HTTP_PORT", HTTP_PORT_DEFAULT))
        ok(f":{port}/readyz" in hc, f"compose gateway: health check on /readyz of its HTTP port {port}", hc)
secret_defs = compose.get("secrets", {})
used = {x.get("source") for c in pupns.values() for x in c.get("secrets", []) if isinstance(x, dict)}
ok(used <= set(secret_defs) and all(v.get("environment") in ALL_KEYS or "file" in v for v in secret_defs.values()),
   "compose secrets are defined (from the keygen variables)")
ok(int((cs.get("registration") or {}).get("deploy", {}).get("replicas", 1)) >= 2, "compose runs two registration replicas")
for n, c in cs.items():
    for v in c.get("volumes", []) or []:
        if isinstance(v, str) and v.startswith("./"):
            ok(os.path.exists(os.path.join(TOP, v.split(":")[0])), f"compose {n}: mounted {v.split(':')[0]} exists")

# --- infra/k8s -------------------------------------------------------------------
kdir = os.path.join(TOP, "infra/k8s")
kust = yaml.safe_load(read("infra/k8s/kustomization.yaml"))
res = kust.get("resources", [])
ok(all(os.path.isfile(os.path.join(kdir, r)) for r in res), "every kustomization resource exists")
extra = sorted(set(os.path.basename(p) for p in glob.glob(os.path.join(kdir, "*.yaml")))
               - set(res) - {"kustomization.yaml", "secrets.example.yaml"})
ok(not extra, "every manifest is listed in kustomization.yaml", f"not listed: {extra}")
docs = []
for r in res:
    docs += [d for d in yaml.safe_load_all(read(f"infra/k8s/{r}")) if d]
by_kind = {}
for d in docs:
    by_kind.setdefault(d["kind"], {})[d["metadata"]["name"]] = d
cm = {}
for c in by_kind.get("ConfigMap", {}).values():
    cm.update(c.get("data", {}))
NAMED.update(k for k in cm if k.startswith("PUPNS_"))
unknown = sorted(k for k in cm if k.startswith("PUPNS_") and k not in CODE_VARS)
ok(not unknown, "k8s ConfigMap: every PUPNS_* variable exists in the code", f"unknown: {unknown}")
ok(len(cm.get("PUPNS_KAFKA_BROKERS", "").split(",")) == 3, "k8s PUPNS_KAFKA_BROKERS names three brokers")
secrets_dir = cm.get("PUPNS_SECRETS_DIR")
image_names = {i["name"] for i in kust.get("images", [])}
example = {d["metadata"]["name"]: d for d in yaml.safe_load_all(read("infra/k8s/secrets.example.yaml")) if d}


def pod_check(kind, name, spec, labels):
    """Container names, images, commands, variables, secret files of one pod template."""
    for ctr in spec.get("containers", []):
        where = f"k8s {kind} {name}"
        ok(ctr.get("image") in image_names, f"{where}: image {ctr.get('image')} is the kustomization's image")
        check_command(where, ctr.get("command", []) + ctr.get("args", []))
        names = {e["name"] for e in ctr.get("env", [])}
        NAMED.update(v for v in names if v.startswith("PUPNS_"))
        unknown = sorted(v for v in names if v.startswith("PUPNS_") and v not in CODE_VARS)
        ok(not unknown, f"{where}: every PUPNS_* variable exists in the code", f"unknown: {unknown}")
        ok(not any("secretKeyRef" in (e.get("valueFrom") or {}) for e in ctr.get("env", [])),
           f"{where}: secrets come as files, not variables")
        files, mounted = set(), False
        vols = {v["name"]: v for v in spec.get("volumes", [])}
        for vm in ctr.get("volumeMounts", []):
            v = vols.get(vm["name"], {})
            srcs = [{"secret": v["secret"]}] if "secret" in v else v.get("projected", {}).get("sources", [])
            for src in srcs:
                sec = src.get("secret")
                if not sec:
                    continue
                mounted = mounted or vm["mountPath"] == secrets_dir
                for it in sec.get("items", []):
                    files.add(it["path"])
                    known = example.get(sec["name"], {}).get("stringData", {})
                    ok(it["key"] in known, f"{where}: Secret {sec['name']} key {it['key']} is documented in secrets.example.yaml")
        NAMED.update(files)
        unknown = sorted(f for f in files if f not in CODE_VARS)
        ok(not unknown, f"{where}: every secret file names a PUPNS_* variable of the code", f"unknown: {unknown}")
        ok(not files or mounted, f"{where}: secret files are mounted at PUPNS_SECRETS_DIR ({secrets_dir})")
        return ctr, files
    return None, set()


deps = by_kind.get("Deployment", {})
for s in DEPLOYED:
    d = deps.get(f"pupns-{s}")
    ok(d is not None, f"k8s has a Deployment pupns-{s}")
    if not d:
        continue
    tmpl = d["spec"]["template"]
    labels = tmpl["metadata"]["labels"]
    ok(all(labels.get(k) == v for k, v in d["spec"]["selector"]["matchLabels"].items()), f"k8s pupns-{s}: selector matches its pods")
    ctr, files = pod_check("Deployment", f"pupns-{s}", tmpl["spec"], labels)
    if not ctr:
        continue
    ok(f"pupns-{s}" in ctr.get("command", []), f"k8s pupns-{s} runs pupns-{s}")
    ok(files - {"PUPNS_PG_URL"} == KEYS[s], f"k8s pupns-{s} gets exactly its keys", f"got {sorted(files)}, want {sorted(KEYS[s])}")
    ports = {p.get("name"): p["containerPort"] for p in ctr.get("ports", [])}
    env = {e["name"]: e.get("value") for e in ctr.get("env", [])}
    want = cm.get("PUPNS_HEALTH_PORT") if s in HEALTH_SERVICES else env.get("PUPNS_HTTP_PORT", HTTP_PORT_DEFAULT)
    for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
        g = ctr.get(probe, {}).get("httpGet", {})
        port = ports.get(g.get("port"), g.get("port"))
        ok(g.get("path") == path and str(port) == str(want),
           f"k8s pupns-{s}: {probe} on {path} port {want}", f"got {g.get('path')} port {port}")
    pdbs = [p for p in by_kind.get("PodDisruptionBudget", {}).values()
            if all(labels.get(k) == v for k, v in p["spec"]["selector"]["matchLabels"].items())]
    ok(len(pdbs) == 1, f"k8s pupns-{s} has a PodDisruptionBudget")
hpas = [h for h in by_kind.get("HorizontalPodAutoscaler", {}).values()
        if h["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "pupns-registration"}]
ok(len(hpas) == 1 and any(m.get("resource", {}).get("name") == "cpu" for m in hpas[0]["spec"].get("metrics", [])),
   "k8s: a HorizontalPodAutoscaler scales pupns-registration on CPU")
reg = deps.get("pupns-registration")
ok(reg and all("cpu" in c.get("resources", {}).get("requests", {}) for c in reg["spec"]["template"]["spec"]["containers"]),
   "k8s pupns-registration requests CPU (the autoscaler needs it)")
jobs = by_kind.get("Job", {})
topic_jobs = [j for j in jobs.values() for c in j["spec"]["template"]["spec"]["containers"]
              if "pupns-ctl" in c.get("command", []) and "topics" in c.get("command", [])]
ok(len(topic_jobs) == 1 and any(a.endswith("proto/topics.json") for c in topic_jobs[0]["spec"]["template"]["spec"]["containers"]
                               for a in c["command"]), "k8s: a Job creates the topics of proto/topics.json")
for n, j in jobs.items():
    pod_check("Job", n, j["spec"]["template"]["spec"], j["spec"]["template"]["metadata"].get("labels", {}))

# The services' configuration table (pupns-gateway --help) has every
# configuration variable the manifests name.
if gw:
    out = subprocess.run([gw, "--help"], capture_output=True, text=True, timeout=10)
    HELP_VARS = set(re.findall(r"^\s+(PUPNS_[A-Z0-9_]+)", out.stdout + out.stderr, re.M))
    missing = sorted((NAMED & CONFIG_VARS) - HELP_VARS)
    ok(HELP_VARS and not missing, f"{os.path.relpath(gw, TOP)} --help lists every configuration variable the manifests name",
       f"missing: {missing}")
else:
    N += 1
    print(f"ok {N} - pupns-gateway --help lists the manifests' variables # SKIP no build")
print(f"# manifests name {len(NAMED)} PUPNS_* variables: {' '.join(sorted(NAMED))}")
print(f"1..{N}")
sys.exit(1 if FAILED else 0)
