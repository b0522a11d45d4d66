"""Image quality as the camera measures it: from a dark frame (shutter closed, 12-bit DN), as
JunoCam's team judged the damage and what each anneal recovered. Each filter region is one
readout: its rows' medians give the stripes, what is left after removing them the noise."""

import numpy as np

HOT_THRESHOLD_DN = 300.0       # a pixel this far above its row's median is hot


def measure_dark(frame: np.ndarray) -> dict:
    """Dark level (offset), stripes, noise, hot pixels and dropouts of a dark frame."""
    values = frame.astype(np.float32)
    dropped = values == 0
    levels, stripes, noise, hot = [], [], [], 0
    for region, missing in zip(values, dropped):
        masked = np.where(missing, np.nan, region)
        rows = np.nanmedian(masked, axis=1)
        residual = masked - rows[:, None]
        is_hot = residual > HOT_THRESHOLD_DN
        hot += int(is_hot.sum())
        clean = residual[~is_hot & ~missing]
        levels.append(float(np.nanmedian(rows)))
        stripes.append(float(np.nanstd(rows)))
        noise.append(float(clean.std()) if clean.size else 0.0)
    return {
        "hot_pixels": hot,
        "dark_level": float(np.mean(levels)),
        "noise": float(np.mean(noise)),
        "stripes": float(np.mean(stripes)),
        "dropouts": int(dropped.sum()),
    }
