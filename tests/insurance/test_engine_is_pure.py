import subprocess
import sys


def test_the_engine_imports_and_settles_without_django():
    # The engine must run where Django is neither configured nor imported (batch jobs, benchmarks).
    script = (
        "import sys, datetime\n"
        "from weijian.insurance.engine.policy import demo_policy\n"
        "from weijian.insurance.engine.scalar import Claim, settle_year\n"
        "claim = Claim('c', 'p', 'inpatient', 1, datetime.date(2012, 1, 1), datetime.date(2012, 1, 2), total=100000)\n"
        "print(settle_year([claim], demo_policy())[0].reimbursed)\n"
        "assert not any(name == 'django' or name.startswith('django.') for name in sys.modules), 'django imported'\n"
    )
    env = {"PATH": "/usr/bin:/bin"}  # no DJANGO_SETTINGS_MODULE
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "71250"
