"""`fsw --version`, `ground --version`: the package and the dictionary, the two that must agree
across a link. Light to import: the dictionary is loaded only when the option is given."""

import argparse


def version_text(prog: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    from fsw.dictionary import load

    try:
        package = version("perijove")
    except PackageNotFoundError:
        package = "(not installed)"
    return f"{prog} {package}, dictionary {load().version:08x}"


class VersionAction(argparse.Action):
    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest, nargs=0, default=default,
                         help=help or "print the package and dictionary versions and exit")

    def __call__(self, parser, namespace, values, option_string=None):
        print(version_text(parser.prog))
        parser.exit()
