from mailbot.cli import main

raise SystemExit(main())
