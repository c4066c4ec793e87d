#!/usr/bin/env bash
# THE fault suite command (docs/reliability.md): starts the whole suite from the AppHost (two replicas each of
# RunsService and InventoryService, PostgreSQL on a tmpfs of its own) and breaks its real processes — worker SIGKILL,
# Redis killed and restarted empty, Redis SIGSTOP, PostgreSQL fast/immediate restart and disk full, a RunsService
# replica killed, Graph storms, poison entries, a hung handler — asserting that no run is lost, duplicated or stuck,
# and writes each scenario's recovery figures into docs/reliability.md's results table.
#   bash scripts/faults.sh            full scale (bigger syncs, more callers, longer loads); ~10 minutes
#   bash scripts/faults.sh --short    the scale the test command runs
#   --no-docs                         print the table, leave docs/reliability.md alone
# Needs root (PostgreSQL's tmpfs, and PostgreSQL runs as the postgres user). Ends with "N passed, N failed".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scale=full
write_docs=true
for argument in "$@"; do
  case "$argument" in
    --short) scale=short ;;
    --no-docs) write_docs=false ;;
    *) echo "faults.sh: unknown argument $argument" >&2; exit 2 ;;
  esac
done

source scripts/system-packages.sh
ensure_system_packages postgresql redis

dotnet build tests/AppHost.Tests -c Release -v quiet -nologo

results_dir=TestResults/faults
rm -rf "$results_dir" && mkdir -p "$results_dir"
export FAULTS_RESULTS="$PWD/$results_dir/results.jsonl"
if [[ $scale == full ]]; then export FAULTS_SCALE=full; else unset FAULTS_SCALE; fi
started=$(date -u +%s)
test_exit=0
dotnet test tests/AppHost.Tests -c Release --no-build --filter "Category=Faults" \
  --logger "trx;LogFileName=faults.trx" --logger "console;verbosity=normal" --results-directory "$results_dir" || test_exit=$?
elapsed=$(( $(date -u +%s) - started ))

python3 - "$results_dir" "$scale" "$elapsed" "$write_docs" <<'PY'
import datetime, glob, json, os, platform, re, sys
import xml.etree.ElementTree as ET

results_dir, scale, elapsed, write_docs = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "true"
rows = []
path = os.path.join(results_dir, "results.jsonl")
if os.path.exists(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
passed = failed = 0
for trx in glob.glob(os.path.join(results_dir, "*.trx")):
    counters = ET.parse(trx).getroot().find(".//{*}ResultSummary/{*}Counters")
    if counters is not None:
        passed += int(counters.get("passed", "0"))
        failed += sum(int(counters.get(k, "0")) for k in ("failed", "error", "timeout", "aborted"))

cpus = os.cpu_count()
memory = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30)
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
command = "bash scripts/faults.sh" + ("" if scale == "full" else " --short")
cell = lambda text: str(text).replace("|", "\\|")
lines = [
    f"Run of {now}: `{command}` ({scale} scale), {cpus} cores, {memory} GiB, {platform.system()} {platform.release()}; "
    f"{passed} scenario tests passed, {failed} failed, in {elapsed // 60} min {elapsed % 60} s.",
    "",
    "| scenario | recovery | lost | duplicated | stuck | detail |",
    "| --- | --- | --- | --- | --- | --- |",
]
lines += [f"| {cell(r['Scenario'])} | {cell(r['Recovery'])} | {r['Lost']} | {r['Duplicated']} | {r['Stuck']} | {cell(r['Detail'])} |" for r in rows]
table = "\n".join(lines)
print("\n" + table + "\n")
if write_docs:
    doc = "docs/reliability.md"
    text = open(doc).read()
    begin, end = "<!-- faults:begin -->", "<!-- faults:end -->"
    text = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: f"{begin}\n{table}\n{end}", text, flags=re.S)
    open(doc, "w").write(text)
    print(f"written to {doc}")
print(f"{passed} passed, {failed} failed")
PY
exit "$test_exit"
