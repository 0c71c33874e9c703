"""Table of MLflow's own tests run directly and through the gateway (scripts/mlflow-own-tests.sh).

    python3 test/mlflow-own/summarize.py <mlflow-tests-dir> [--list]

Reads <dir>/results-<mode>.xml (JUnit, one per mode) and prints, per mode, passed / failed /
skipped and the tests that fail only through the gateway (failed there, passed directly);
--list also names them with the first line of their failure.
"""
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

MODES = ["direct", "admin", "user", "user-filtered"]


def outcomes(path):
    result = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        name = f"{case.get('classname')}::{case.get('name')}"
        failed = case.find("failure") if case.find("failure") is not None else case.find("error")
        if failed is not None:
            first = (failed.get("message") or failed.text or "").strip().splitlines()
            result[name] = ("failed", first[0][:160] if first else "")
        elif case.find("skipped") is not None:
            result[name] = ("skipped", "")
        else:
            result[name] = ("passed", "")
    return result


def main():
    root = Path(sys.argv[1])
    show = "--list" in sys.argv
    runs = {m: outcomes(root / f"results-{m}.xml") for m in MODES if (root / f"results-{m}.xml").exists()}
    direct = runs.get("direct", {})
    print("| mode | passed | failed | skipped | fail only through the gateway |")
    print("|---|---|---|---|---|")
    for mode, res in runs.items():
        count = lambda s: sum(1 for v in res.values() if v[0] == s)
        only = sorted(n for n, v in res.items() if v[0] == "failed" and direct.get(n, ("",))[0] == "passed")
        print(f"| {mode} | {count('passed')} | {count('failed')} | {count('skipped')} | {'–' if mode == 'direct' else len(only)} |")
        if show and mode != "direct":
            for n in only:
                print(f"    {mode}: {n}  {res[n][1]}")


if __name__ == "__main__":
    main()
