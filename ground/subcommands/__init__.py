"""One module per `ground` subcommand; each defines register(subparsers)."""
