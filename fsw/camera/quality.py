"""Image quality as the camera measures it: from a dark frame (shutter closed), as JunoCam's
team judged the radiation damage and what each anneal recovered."""

import numpy as np

HOT_THRESHOLD_DN = 25.0        # a dark-frame pixel this far above the median is hot


def measure_dark(frame: np.ndarray) -> dict:
    """Image-quality metrics of a dark frame: hot pixel count, mean level, noise."""
    values = frame.astype(np.float32)
    hot = values > np.median(values) + HOT_THRESHOLD_DN
    return {
        "hot_pixels": int(hot.sum()),
        "dark_level": float(values.mean()),
        "noise": float(values[~hot].std()) if (~hot).any() else 0.0,
    }
