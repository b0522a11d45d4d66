import numpy as np
from PIL import Image

from fsw.hw.sim import preview


def test_preview_png_shows_damage_and_recovery(tmp_path):
    out = tmp_path / "io.png"
    assert preview.main([str(out), "--range-km", "20000"]) == 0
    sheet = np.asarray(Image.open(out).convert("L"), dtype=float)
    assert sheet.shape[0] > 288 * 2 and sheet.shape[1] > 384 * 3
    fresh, damaged, annealed = [panel[1] for panel in preview.panels(20000, 95)]
    # the sky around Io: black when fresh, fogged and speckled when damaged, better after anneal
    sky = (slice(0, 40), slice(0, 60))
    assert fresh[sky].mean() < damaged[sky].mean()
    assert annealed[sky].mean() < damaged[sky].mean()
    assert annealed[sky].std() < damaged[sky].std()


def test_bad_arguments_are_one_line_errors(tmp_path, capsys):
    assert preview.main([str(tmp_path / "x.png"), "--range-km", "-5"]) == 2
    assert preview.main([str(tmp_path / "missing" / "x.png")]) == 1
    assert "cannot write" in capsys.readouterr().err
