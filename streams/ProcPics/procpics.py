#!/usr/bin/env python3
"""ProcPics: MagickBox example stream.

For every image in INPUT_DIR that can be decoded, compute the Sobel edge
magnitude of every frame, rescale it into the source's stored pixel range and
write it as a new derived series (one new series per source series) of
uncompressed Explicit VR Little Endian DICOM Part-10 files to OUTPUT_DIR,
named <SOPInstanceUID>.dcm. Finally write OUTPUT_DIR/proc.json.

usage: procpics.py INPUT_DIR OUTPUT_DIR
"""

import contextlib
import datetime
import json
import os
import sys
import tempfile
import traceback
import warnings

import numpy as np
import pydicom
from pydicom.dataset import FileMetaDataset
from pydicom.encaps import generate_pixel_data_frame
from pydicom.errors import InvalidDicomError
from pydicom.uid import ExplicitVRLittleEndian, UID, generate_uid

VERSION = "1.0.0"
FILTER_NAME = "Sobel edge magnitude"

try:  # GDCM prints codec warnings to stderr for files it still decodes fine.
    import gdcm  # noqa: F401

    gdcm.Trace.WarningOff()
    gdcm.Trace.DebugOff()
    HAVE_GDCM = True
except ImportError:
    HAVE_GDCM = False

warnings.filterwarnings("ignore", module="pydicom")

# Transfer syntaxes whose pixel data went through a lossy compression.
LOSSY_SYNTAXES = {
    "1.2.840.10008.1.2.4.50",  # JPEG Baseline
    "1.2.840.10008.1.2.4.51",  # JPEG Extended
    "1.2.840.10008.1.2.4.81",  # JPEG-LS near-lossless
    "1.2.840.10008.1.2.4.91",  # JPEG 2000
    "1.2.840.10008.1.2.4.93",  # JPEG 2000 Part 2 multi-component
}
JPEG_DCT_SYNTAXES = {"1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51"}

# Attributes that would be wrong or invalid in the uncompressed derived output.
DROP_TAGS = [
    0x00880200,  # Icon Image Sequence (may hold encapsulated pixel data; shows the source)
    0x00280106, 0x00280107,  # Smallest/Largest Image Pixel Value
    0x00280108, 0x00280109,  # Smallest/Largest Pixel Value in Series
    0x00280110, 0x00280111,  # Smallest/Largest Image Pixel Value in Plane
    0x00280120, 0x00280121,  # Pixel Padding Value / Range Limit
    0x00283010,  # VOI LUT Sequence (replaced by a window covering the new range)
    0x00281056,  # VOI LUT Function
    0x00287FE0,  # Pixel Data Provider URL
    0x7FE00001, 0x7FE00002,  # Extended Offset Table (+ Lengths)
    0xFFFAFFFA,  # Digital Signatures Sequence (the dataset changes)
    0x4FFE0001,  # MAC Parameters Sequence
    0xFFFCFFFC,  # Data Set Trailing Padding
]
PALETTE_TAGS = [
    0x00281101, 0x00281102, 0x00281103, 0x00281104,  # palette descriptors
    0x00281199,  # Palette Color LUT UID
    0x00281201, 0x00281202, 0x00281203, 0x00281204,  # palette data
    0x00281221, 0x00281222, 0x00281223,  # segmented palette data
]


@contextlib.contextmanager
def quiet_stderr(sink):
    """Collect what native decoders print on file descriptor 2 into sink[0]."""
    sys.stderr.flush()
    try:
        tmp = tempfile.TemporaryFile()
        saved = os.dup(2)
    except OSError:  # no writable temp dir: let the messages through
        yield
        return
    os.dup2(tmp.fileno(), 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        tmp.seek(0)
        sink[0] = tmp.read().decode("utf-8", "replace")
        tmp.close()


def log(msg):
    print(msg, flush=True)


def now():
    return datetime.datetime.now()


def sobel(frame):
    """Sobel gradient magnitude of a 2-D array (float64), edge-replicated border."""
    p = np.pad(frame.astype(np.float64, copy=False), 1, mode="edge")
    gx = (p[:-2, 2:] + 2.0 * p[1:-1, 2:] + p[2:, 2:]) - (p[:-2, :-2] + 2.0 * p[1:-1, :-2] + p[2:, :-2])
    gy = (p[2:, :-2] + 2.0 * p[2:, 1:-1] + p[2:, 2:]) - (p[:-2, :-2] + 2.0 * p[:-2, 1:-1] + p[:-2, 2:])
    return np.hypot(gx, gy)


def edge_magnitude(frame):
    """Sobel magnitude of one frame; colour frames (rows, cols, samples) per sample."""
    if frame.ndim == 3:
        return np.stack([sobel(frame[..., s]) for s in range(frame.shape[-1])], axis=-1)
    return sobel(frame)


def jpeg_component_space(frame_bytes):
    """Colour space of the components in a DCT JPEG stream when its markers say
    so (GDCM hands the components back without converting them): 'RGB', 'YBR'
    or None."""
    jfif = False
    adobe_transform = None
    ids = None
    i, n = 2, len(frame_bytes)
    while i + 4 <= n:
        if frame_bytes[i] != 0xFF:
            i += 1
            continue
        marker = frame_bytes[i + 1]
        if marker == 0xFF or marker == 0x01 or 0xD0 <= marker <= 0xD8:
            i += 2 if marker != 0xFF else 1
            continue
        if marker == 0xDA or marker == 0xD9:  # start of scan / end of image
            break
        length = int.from_bytes(frame_bytes[i + 2:i + 4], "big")
        seg = frame_bytes[i + 4:i + 2 + length]
        if marker == 0xE0 and seg[:5] == b"JFIF\x00":
            jfif = True
        elif marker == 0xEE and seg[:5] == b"Adobe" and len(seg) >= 12:
            adobe_transform = seg[11]
        elif 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC) and len(seg) >= 6:
            nc = seg[5]
            ids = tuple(seg[6 + 3 * k] for k in range(nc) if 6 + 3 * k < len(seg))
        i += 2 + length
    if jfif:  # libjpeg's order of precedence
        return "YBR"
    if adobe_transform is not None:
        return "RGB" if adobe_transform == 0 else "YBR"
    if ids == (ord("R"), ord("G"), ord("B")):
        return "RGB"
    if ids == (1, 2, 3):  # the JFIF convention
        return "YBR"
    return None  # the stream does not say: trust the DICOM header


def decoded_colour_space(ds, tsuid):
    """Colour space of ds.pixel_array for a 3-sample image: 'RGB' or 'YBR'."""
    pi = str(ds.PhotometricInterpretation).upper()
    if tsuid in JPEG_DCT_SYNTAXES:
        nframes = int(getattr(ds, "NumberOfFrames", 1) or 1)
        try:
            first = next(generate_pixel_data_frame(ds.PixelData, nframes))
            space = jpeg_component_space(first)
            if space == "YBR" and pi == "RGB" and not HAVE_GDCM and b"Adobe" in first[:256]:
                return "RGB"  # Pillow applies an Adobe colour transform itself
            if space:
                return space
        except Exception:  # fall back on what the header says
            pass
    if pi in ("YBR_FULL", "YBR_FULL_422", "YBR_PARTIAL_422", "YBR_PARTIAL_420"):
        return "YBR"
    return "RGB"  # RGB, and YBR_ICT / YBR_RCT which the J2K decoder already inverted


def to_little_endian(arr):
    dt = arr.dtype.newbyteorder("<") if arr.dtype.itemsize > 1 else arr.dtype
    return arr.astype(dt, copy=False)


def swap_big_endian_binaries(ds):
    """Values of OW/OL/OF/OD/OV elements read from a big-endian file are raw
    big-endian bytes; swap them so that they are right in little-endian output."""
    widths = {"OW": "u2", "OL": "u4", "OF": "u4", "OD": "u8", "OV": "u8"}
    for elem in ds.iterall():
        if elem.tag == 0x7FE00010 or elem.VR not in widths:
            continue
        if isinstance(elem.value, (bytes, bytearray)) and elem.value:
            w = widths[elem.VR]
            size = np.dtype(w).itemsize
            if len(elem.value) % size == 0:
                elem.value = np.frombuffer(elem.value, ">" + w).astype("<" + w).tobytes()


def fmt_ds(value):
    s = f"{value:.6g}"
    return s if len(s) <= 16 else f"{value:.8e}"[:16]


def read_dataset(path):
    """(dataset, note) or (None, reason) for files that are not DICOM."""
    try:
        return pydicom.dcmread(path), None
    except InvalidDicomError:
        pass
    except Exception as exc:  # unreadable DICOM
        return None, f"cannot be read: {type(exc).__name__}: {exc}"
    try:  # a DICOM data set without the Part-10 header?
        ds = pydicom.dcmread(path, force=True)
        if "SOPClassUID" in ds and "PixelData" in ds:
            return ds, "no Part-10 header, read anyway"
    except Exception:
        pass
    return None, "not a DICOM file"


class Skip(Exception):
    """The image cannot be processed; the message says why."""


def process(ds, series_map, out_dir):
    tsuid = str(ds.file_meta.get("TransferSyntaxUID", "")) if hasattr(ds, "file_meta") else ""
    tsname = UID(tsuid).name if tsuid else "unknown transfer syntax"
    if "SOPClassUID" not in ds or "SOPInstanceUID" not in ds:
        raise Skip("no SOP Class/Instance UID")
    decoder_msgs = [""]
    # Some pydicom 2.3 handlers change pixel module attributes of ds while
    # decoding (e.g. the J2K sign correction sets PixelRepresentation to 0).
    pixel_module = {kw: ds[kw].value for kw in (
        "PixelRepresentation", "PhotometricInterpretation", "BitsStored", "HighBit") if kw in ds}
    try:
        with quiet_stderr(decoder_msgs):
            src = ds.pixel_array
    except Exception as exc:
        first = (str(exc).strip().splitlines() or [""])[0][:200]
        why = f"cannot decode pixel data ({tsname}): {type(exc).__name__}: {first}"
        native = " | ".join(line.strip() for line in decoder_msgs[0].splitlines() if line.strip())
        if native:
            why += f" [decoder: {native[:300]}]"
        raise Skip(why)
    finally:
        for kw, value in pixel_module.items():
            setattr(ds, kw, value)

    rows, cols = int(ds.Rows), int(ds.Columns)
    spp = int(getattr(ds, "SamplesPerPixel", 1) or 1)
    nframes = int(getattr(ds, "NumberOfFrames", 1) or 1)
    bits_alloc = int(ds.BitsAllocated)
    pi = str(ds.PhotometricInterpretation).upper()

    # Work on (frames, rows, cols[, samples]).
    frames = src.reshape((nframes, rows, cols) + ((spp,) if spp > 1 else ()))

    new_pi = pi
    converted = ""
    if pi == "PALETTE COLOR":
        from pydicom.pixel_data_handlers.util import apply_color_lut

        frames = apply_color_lut(frames, ds)
        if frames.dtype.itemsize > 1:  # 16-bit palette entries -> 8 bit RGB
            frames = (frames.astype(np.float64) / 257.0).round().astype(np.uint8)
        else:
            frames = frames.astype(np.uint8)
        spp, new_pi, bits_alloc = 3, "RGB", 8
        converted = "palette->RGB"
    elif spp == 3:
        if decoded_colour_space(ds, tsuid) == "YBR":
            if frames.dtype != np.uint8:
                raise Skip(f"{bits_alloc}-bit YCbCr colour data is not supported")
            from pydicom.pixel_data_handlers.util import convert_color_space

            frames = convert_color_space(frames, "YBR_FULL", "RGB")
            converted = "YCbCr->RGB"
        new_pi = "RGB"
    elif spp != 1:
        raise Skip(f"{spp} samples per pixel is not supported")

    lo = float(frames.min())
    hi = float(frames.max())
    if bits_alloc == 1:
        lo, hi = 0.0, 1.0

    # Pass 1: one scale for all frames of the instance. The 99.5th percentile of
    # the gradient (not its maximum) maps to the top of the range, so that a few
    # very strong edges (e.g. the rim of a CT field of view) don't leave the
    # rest dark; stronger gradients are clipped.
    peak = 0.0
    for f in frames:
        mag = edge_magnitude(f)
        top = float(np.percentile(mag, 99.5))
        peak = max(peak, top if top > 0 else float(mag.max()))

    out_dtype = np.uint8 if bits_alloc == 1 else frames.dtype.newbyteorder("=")
    out = np.empty(frames.shape, dtype=out_dtype)
    for k, f in enumerate(frames):
        mag = edge_magnitude(f)
        scaled = np.minimum(mag / peak, 1.0) if peak > 0 else np.zeros_like(mag)
        if new_pi == "MONOCHROME1":  # high values display dark: keep edges bright
            values = hi - scaled * (hi - lo)
        else:
            values = lo + scaled * (hi - lo)
        out[k] = np.clip(np.rint(values), lo, hi).astype(out_dtype)

    if bits_alloc == 1:
        from pydicom.pixel_data_handlers.numpy_handler import pack_bits

        pixel_bytes = pack_bits(out.ravel())
    else:
        pixel_bytes = to_little_endian(out).tobytes()
    if len(pixel_bytes) % 2:
        pixel_bytes += b"\x00"

    # --- the derived data set -------------------------------------------
    src_sop_class = ds.SOPClassUID
    src_sop_uid = ds.SOPInstanceUID
    src_series = str(ds.get("SeriesInstanceUID", ""))
    study = str(ds.get("StudyInstanceUID", ""))
    key = (study, src_series)
    if key not in series_map:
        series_map[key] = generate_uid()
    new_series = series_map[key]
    new_sop = generate_uid()

    if not ds.is_little_endian:
        swap_big_endian_binaries(ds)

    for tag in DROP_TAGS:
        if tag in ds:
            del ds[tag]
    if pi == "PALETTE COLOR":
        for tag in PALETTE_TAGS:
            if tag in ds:
                del ds[tag]
        ds.BitsAllocated = 8
        ds.BitsStored = 8
        ds.HighBit = 7
        ds.PixelRepresentation = 0
    del ds[0x7FE00010]
    ds.add_new(0x7FE00010, "OB" if bits_alloc <= 8 else "OW", pixel_bytes)

    ds.PhotometricInterpretation = new_pi
    ds.SamplesPerPixel = spp
    if bits_alloc > 1:  # signedness of what is written
        ds.PixelRepresentation = 1 if np.issubdtype(out.dtype, np.signedinteger) else 0
    if spp > 1:
        ds.PlanarConfiguration = 0
    elif "PlanarConfiguration" in ds:
        del ds.PlanarConfiguration

    if new_pi.startswith("MONOCHROME") and bits_alloc > 1:
        slope = float(ds.get("RescaleSlope", 1) or 1)
        intercept = float(ds.get("RescaleIntercept", 0) or 0)
        ds.WindowCenter = fmt_ds((lo + hi) / 2.0 * slope + intercept)
        ds.WindowWidth = fmt_ds(max(1.0, (hi - lo + 1.0) * abs(slope)))
        ds.WindowCenterWidthExplanation = "PROCPICS FULL RANGE"

    if tsuid in LOSSY_SYNTAXES and "LossyImageCompression" not in ds:
        ds.LossyImageCompression = "01"

    t = now()
    date, time = t.strftime("%Y%m%d"), t.strftime("%H%M%S")
    image_type = [str(v) for v in (ds.get("ImageType") or [])]
    ds.ImageType = ["DERIVED", "SECONDARY"] + image_type[2:]
    ds.SOPInstanceUID = new_sop
    ds.SeriesInstanceUID = new_series
    ds.SeriesNumber = int(ds.get("SeriesNumber", 0) or 0) + 1000
    orig_desc = str(ds.get("SeriesDescription", "") or "").strip()
    desc = f"ProcPics: {FILTER_NAME} of {orig_desc}" if orig_desc else f"ProcPics: {FILTER_NAME}"
    ds.SeriesDescription = desc[:64]
    ds.SeriesDate, ds.SeriesTime = date, time
    ds.ContentDate, ds.ContentTime = date, time
    ds.InstanceCreationDate, ds.InstanceCreationTime = date, time
    ds.DerivationDescription = (
        f"ProcPics {VERSION}: {FILTER_NAME} (3x3 Sobel kernels, per frame"
        f"{', per colour sample' if spp > 1 else ''}), 0..99.5th percentile rescaled to the "
        f"source's stored value range [{lo:g}, {hi:g}]; source SOP Instance {src_sop_uid}"
    )[:1024]
    ref = pydicom.Dataset()
    ref.ReferencedSOPClassUID = src_sop_class
    ref.ReferencedSOPInstanceUID = src_sop_uid
    ds.SourceImageSequence = [ref]

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = src_sop_class
    meta.MediaStorageSOPInstanceUID = new_sop
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = pydicom.uid.PYDICOM_IMPLEMENTATION_UID
    meta.ImplementationVersionName = "PROCPICS_" + VERSION.replace(".", "")
    ds.file_meta = meta
    ds.preamble = b"\x00" * 128
    ds.is_little_endian = True
    ds.is_implicit_VR = False

    out_path = os.path.join(out_dir, f"{new_sop}.dcm")
    tmp_path = out_path + ".part"
    ds.save_as(tmp_path, write_like_original=False)
    os.replace(tmp_path, out_path)
    return {
        "out": os.path.basename(out_path),
        "what": f"{UID(src_sop_class).name}, {tsname}, {nframes} frame(s) {rows}x{cols} {pi}"
                f"{' (' + converted + ')' if converted else ''} {bits_alloc}-bit",
        "series": new_series,
    }


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    in_dir, out_dir = argv[1], argv[2]
    if not os.path.isdir(in_dir):
        print(f"input folder {in_dir} does not exist", file=sys.stderr)
        return 2
    os.makedirs(out_dir, exist_ok=True)

    files = []
    for root, dirs, names in os.walk(in_dir):
        dirs.sort()
        files.extend(os.path.join(root, n) for n in sorted(names))
    log(f"ProcPics {VERSION}: {FILTER_NAME} of every image in {in_dir} -> {out_dir} "
        f"(pydicom {pydicom.__version__}, numpy {np.__version__}, "
        f"GDCM {'yes' if HAVE_GDCM else 'not available: compressed input cannot be decoded'})")
    log(f"{len(files)} file(s) to look at")

    series_map = {}
    done, skipped, ignored = 0, [], 0
    for i, path in enumerate(files, 1):
        name = os.path.relpath(path, in_dir)
        prefix = f"[{i}/{len(files)}] {name}:"
        ds, note = read_dataset(path)
        if ds is None:
            ignored += 1
            log(f"{prefix} ignored ({note})")
            continue
        if "PixelData" not in ds:
            ignored += 1
            kind = UID(str(ds.SOPClassUID)).name if "SOPClassUID" in ds else "DICOM object"
            log(f"{prefix} ignored ({kind} without pixel data)")
            continue
        try:
            res = process(ds, series_map, out_dir)
        except Skip as exc:
            skipped.append(name)
            log(f"{prefix} SKIPPED: {exc}")
            continue
        except Exception as exc:  # an unexpected problem with this one image
            skipped.append(name)
            log(f"{prefix} SKIPPED: processing failed: {type(exc).__name__}: {exc}")
            traceback.print_exc()
            continue
        done += 1
        log(f"{prefix} {res['what']}{' (' + note + ')' if note else ''} -> {res['out']}")

    total = done + len(skipped)
    if total == 0:
        status = "failed"
        message = f"no images found in {len(files)} input file(s)"
    elif done == 0:
        status = "failed"
        message = f"none of the {total} image(s) could be processed"
    elif skipped:
        status = "partial"
        message = (f"{FILTER_NAME} written for {done} of {total} images into "
                   f"{len(set(series_map.values()))} derived series; skipped: "
                   + ", ".join(skipped[:20]) + (" ..." if len(skipped) > 20 else ""))
    else:
        status = "success"
        message = (f"{FILTER_NAME} written for all {done} images into "
                   f"{len(set(series_map.values()))} derived series")
    if ignored:
        message += f" ({ignored} non-image file(s) ignored)"

    with open(os.path.join(out_dir, "proc.json"), "w") as fh:
        json.dump([{"success": status, "message": message}], fh, indent=1)
        fh.write("\n")
    log(f"ProcPics {status}: {message}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
