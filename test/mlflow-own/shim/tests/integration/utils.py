"""Stand-in for MLflow's tests/integration/utils.py (written for this harness)."""
from click.testing import CliRunner


def invoke_cli_runner(*args, **kwargs):
    res = CliRunner().invoke(*args, **kwargs)
    assert res.exit_code == 0, f"Got non-zero exit code {res.exit_code}. Output is: {res.output}"
    return res
