"""`ground image --port URL ID... --out DIR`: downlink images, write PNGs and JSON sidecars."""

from pathlib import Path

from ..images import save
from ._common import add_port_options, guard, open_station, progress_bar


def register(subparsers) -> None:
    parser = subparsers.add_parser("image", help="downlink images to PNG + JSON",
                                   description="Downlink images by id: as CFDP files where the spacecraft "
                                   "has CFDP (lost data re-sent), else in segments (lost ones asked for again).")
    add_port_options(parser)
    parser.add_argument("ids", nargs="+", type=int, metavar="ID", help="image ids (see cam_list)")
    parser.add_argument("--out", default="out", metavar="DIR", help="output directory (default ./out)")
    parser.set_defaults(run=guard(run))


def run(args) -> int:
    Path(args.out).mkdir(parents=True, exist_ok=True)   # an unusable --out is said before the downlink
    with open_station(args) as gs:
        for image_id in args.ids:
            with progress_bar(f"image {image_id}") as progress:
                image = gs.downlink_image(image_id, progress=progress)
            for path in save(image, args.out):
                print(path)
    return 0
