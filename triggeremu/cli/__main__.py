"""``python -m triggeremu.cli ...``: the same as the ``triggeremu`` command."""

import sys

from triggeremu.cli import main

sys.exit(main())
