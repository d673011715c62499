from bot.backoffice.unanswered.evaluate import main

raise SystemExit(main())
