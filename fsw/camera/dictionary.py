"""The JunoCam-like camera: power, configuration, capture, the image store and radiation damage."""

from dataclasses import replace

from fsw.protocol.dictionary.model import Application, Command, Event, Field, Parameter, Report, Severity, enum, flags

APID = 0x020
SERVICE = 130
POWER = enum("off", "on")
STATES = enum("off", "warming", "ready", "capturing", "fault")
COMPRESSION = enum("none", "lossless", "lossy")
COMPANDING = enum("linear", "sqrt")
# the readout: full scale (1648 x 128 pixels a strip), or n x n pixels summed into one
READOUT = enum("full", "sum2", "sum4")
SUMMING = {"full": 1, "sum2": 2, "sum4": 4}
IMAGE_ID = Field("image_id", "u16", "", "image id", min=1)

# JunoCam's red, green, blue and methane-band filters, one bit each (1, 2, 4, 8); the names of
# a mask: FILTERS.flag_names(mask), and back: FILTERS.flag_value(names)
FILTERS = Field("filters", "u8", "", "filter mask", flags=flags("red", "green", "blue", "methane"))

COMPONENT = Application(
    name="camera",
    description="A push-frame camera on a spinning spacecraft: images are built from framelets, "
    "one strip per filter per spin step. Images go into a store and come down in segments.",
    apid=APID,
    sid=10,
    commands=(
        Command("cam_power", SERVICE, 1, "Switch the camera on (it warms up before it is ready) or off.",
                args=(Field("state", "enum", "", "power state", enum=POWER),)),
        Command(
            "cam_configure", SERVICE, 2, "Set exposure, filters, TDI stages, compression and the readout "
            "(full scale, or 2 x 2 or 4 x 4 pixels summed: a half or a quarter of the width and of each strip's rows).",
            args=(
                Field("exposure", "u16", "ms", "exposure per framelet", min=1, max=2000),
                replace(FILTERS, description="filters to image through", min=1, max=15),
                Field("tdi", "u8", "", "time-delay-integration stages", min=1, max=64),
                Field("compression", "enum", "", "image compression", enum=COMPRESSION, default="lossless"),
                Field("readout", "enum", "", "pixels summed in the readout", enum=READOUT, default="full"),
            ),
        ),
        Command("cam_capture", SERVICE, 3, "Capture an image of this many framelets, one per spin step "
                "(each filter's strip lags by its place on the chip: red's, 467 rows below methane's, sees a "
                "row of sky about four framelets after methane's).",
                args=(Field("framelets", "u8", "", "framelets per filter", min=1, max=64, default=15),)),
        Command("cam_list", SERVICE, 4, "Report the images in the store (image_list).", safe=True),
        Command(
            "cam_downlink", SERVICE, 6, "Send an image's metadata and segments, from a segment on.",
            args=(IMAGE_ID, Field("first_segment", "u16", "", "resume from this segment", default=0)),
            safe=True,
        ),
        Command("cam_delete", SERVICE, 9, "Delete an image from the store.", args=(IMAGE_ID,),
                hazardous=True, safe=True),
    ),
    parameters=(
        Parameter("cam_power", "enum", "", "camera power", enum=POWER),
        Parameter("cam_state", "enum", "", "camera state", enum=STATES),
        Parameter("cam_exposure", "u16", "ms", "configured exposure"),
        Parameter("cam_filters", "u8", "", "configured filter mask", flags=FILTERS.flags),
        Parameter("cam_tdi", "u8", "", "configured TDI stages"),
        Parameter("images_stored", "u16", "", "images in the store"),
        Parameter("store_used", "u8", "%", "image store fill", yellow=(0, 80), red=(0, 95)),
        Parameter("last_image", "u16", "", "id of the last image captured"),
        Parameter("hot_pixels", "u32", "", "hot pixels in a dark frame", yellow=(0, 10), red=(0, 40)),
        Parameter("dark_level", "f32", "DN", "dark-frame level (12-bit DN): bias plus the regulator's offset",
                  yellow=(0, 150), red=(0, 500)),
        Parameter("noise", "f32", "DN", "dark-frame noise, stripes removed (12-bit DN, standard deviation)",
                  yellow=(0, 12), red=(0, 30)),
        Parameter("stripes", "f32", "DN", "dark-frame striping: spread of the row levels (12-bit DN)",
                  yellow=(0, 10), red=(0, 50)),
        Parameter("dropouts", "u32", "", "missing pixels (read as 0) in a dark frame", yellow=(0, 5), red=(0, 50)),
        Parameter("dose", "f32", "krad", "accumulated radiation dose"),
        Parameter("perijove", "u16", "", "perijove passes so far"),
        Parameter("io_range", "f32", "km", "range to Io"),
        Parameter("images_lost", "u16", "", "stored images found unreadable", yellow=(0, 0)),
    ),
    events=(
        Event(500, "cam_ready", Severity.INFO, "Camera warmed up and ready."),
        Event(501, "image_captured", Severity.INFO, "An image was captured and stored.",
              args=(IMAGE_ID, Field("hot_pixels", "u32"), Field("io_range", "f32", "km"))),
        Event(502, "image_deleted", Severity.INFO, "An image was deleted.", args=(IMAGE_ID,)),
        Event(503, "downlink_complete", Severity.INFO, "An image's segments were all sent.",
              args=(IMAGE_ID, Field("segments", "u16"))),
        Event(504, "store_full", Severity.MEDIUM, "The image store is full."),
        Event(505, "cam_fault", Severity.HIGH, "The camera failed.", args=(Field("code", "u16"),)),
        Event(506, "perijove_pass", Severity.INFO, "A perijove pass added radiation dose.",
              args=(Field("perijove", "u16"), Field("dose", "f32", "krad"))),
        Event(507, "image_lost", Severity.MEDIUM, "A stored image was unreadable (corrupt) and left out.",
              args=(IMAGE_ID,)),
    ),
    reports=(
        Report(
            "image_list", SERVICE, 5, "The images in the store.",
            fields=(Field("images", "list", items=(
                IMAGE_ID,
                Field("time", "u32", "s", "capture time"),
                FILTERS,
                Field("size", "u32", "octets"),
                Field("segments", "u16"),
            )),),
        ),
        Report(
            "image_meta", SERVICE, 7, "An image's metadata, sent before its segments.",
            fields=(
                IMAGE_ID,
                Field("time", "u32", "s", "capture time"),
                Field("width", "u16", "px"),
                Field("height", "u16", "px"),
                FILTERS,
                Field("exposure", "u16", "ms"),
                Field("tdi", "u8"),
                Field("compression", "enum", enum=COMPRESSION),
                Field("io_range", "f32", "km"),
                Field("hot_pixels", "u32"),
                Field("dark_level", "f32", "DN"),
                Field("noise", "f32", "DN"),
                Field("stripes", "f32", "DN"),
                Field("dropouts", "u32"),
                Field("companding", "enum", enum=COMPANDING),
                Field("framelets", "u8", "", "push-frame framelets (0: a plain frame); the strips lag by filter"),
                Field("dose", "f32", "krad"),
                Field("size", "u32", "octets", "size of the stored (compressed) image"),
                Field("segments", "u16"),
                Field("checksum", "u32", "", "CRC-32 of the stored image"),
            ),
        ),
        Report(
            "image_segment", SERVICE, 8, "One segment of an image.",
            fields=(IMAGE_ID, Field("segment", "u16"), Field("segments", "u16"), Field("data", "bytes")),
        ),
    ),
)
