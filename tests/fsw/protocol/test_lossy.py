import numpy as np

from fsw.protocol import imagefile, lossy


def smooth_planes():
    y, x = np.mgrid[0:64, 0:100]
    return np.stack([(60 + 80 * np.sin(x / 15) * np.cos(y / 20) + 60).astype(np.uint8)] * 2)


def test_lossy_keeps_the_picture_at_a_sixth_of_the_size():
    planes = smooth_planes()
    payload = lossy.encode(planes)
    assert len(payload) == lossy.encoded_size(2, 64, 100) < planes.nbytes / 5
    back = lossy.decode(payload, 2, 64, 100)
    assert back.shape == planes.shape
    assert np.abs(back.astype(int) - planes.astype(int)).mean() < 3


def test_a_flipped_bit_turns_one_block_to_noise_and_leaves_the_rest():
    planes = smooth_planes()
    clean = lossy.decode(lossy.encode(planes), 2, 64, 100)
    flip = 3 * 8 * lossy.BLOCK_OCTETS + 9        # inside the fourth block of the first plane
    blob, _ = imagefile.encode({}, planes, "lossy", upsets=lambda bits: [flip])
    _, payload = imagefile.decode(blob)
    hit = imagefile.unpack_planes(payload, 100, 64, 2, "lossy")
    changed = np.argwhere(hit != clean)
    assert len(changed) > 0
    assert changed[:, 0].max() == 0 and np.ptp(changed[:, 1]) < 8 and np.ptp(changed[:, 2]) < 8
