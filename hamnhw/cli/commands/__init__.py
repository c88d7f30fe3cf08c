"""One module per ``hamnhw`` subcommand, each exposing a Click object named ``command``."""
