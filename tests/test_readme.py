"""The README's example runs as printed and trains the LSTM it promises."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_example_trains_an_lstm():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Using `lib`", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert result.returncode == 0, result.stderr
    accuracy = float(re.search(r"accuracy ([0-9.]+)", result.stdout).group(1))
    assert accuracy >= 0.95, result.stdout
