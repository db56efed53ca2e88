import os

from hypothesis import HealthCheck, settings

# CI runs the same examples every time, so a red build is reproducible.
settings.register_profile("ci", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None)
# For a long hunt by hand: pytest --hypothesis-profile=stress
settings.register_profile("stress", deadline=None, max_examples=3000)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
