"""The torchvision fix, in fresh interpreters (import order matters, so each case is a subprocess)."""

import json
import subprocess
import sys
import textwrap


def compiled_library_loads() -> bool:
    """Whether torchvision's own _C library loads against this torch (a matching install)."""
    return run(
        """
        import json, torch
        from vaegan.core.torchvision_compat import _compiled_library
        path = _compiled_library()
        try:
            torch.ops.load_library(str(path)); ok = True
        except (OSError, RuntimeError):
            ok = False
        print(json.dumps({"ok": ok}))
        """
    )["ok"]


def run(code: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_importing_vaegan_makes_torchvision_usable():
    report = run(
        """
        import json
        import vaegan
        import torchvision
        from torchvision import datasets, transforms, utils
        import torch
        grid = utils.make_grid(torch.zeros(4, 1, 8, 8), nrow=2)
        print(json.dumps({"status": vaegan.TORCHVISION_STATUS, "grid": list(grid.shape)}))
        """
    )
    expected = "native" if compiled_library_loads() else "schemas-defined"
    assert report["status"] == expected
    assert report["grid"] == [3, 22, 22]  # 2 x 8 pixels + 3 x 2 padding


def test_without_the_fix_torchvision_behaves_as_the_notes_say():
    """On a mismatched install, plain `import torchvision` fails with the nms error; on a
    matching one it works. Either way the fix is justified (or harmless)."""
    result = subprocess.run([sys.executable, "-c", "import torchvision"], capture_output=True, text=True, timeout=120)
    if compiled_library_loads():
        assert result.returncode == 0, result.stderr[-2000:]
    else:
        assert result.returncode != 0
        assert "torchvision::nms does not exist" in result.stderr


def test_is_a_no_op_when_the_operators_are_already_registered():
    """Simulates a working torchvision: the operators exist before the fix runs."""
    report = run(
        """
        import json, torch
        library = torch.library.Library("torchvision", "DEF")
        library.define("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
        library.define("qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
        from vaegan.core import torchvision_compat
        status = torchvision_compat.ensure_torchvision_importable()
        print(json.dumps({"status": status, "created_library": torchvision_compat._LIBRARY is not None}))
        """
    )
    assert report == {"status": "registered", "created_library": False}


def test_running_twice_changes_nothing_the_second_time():
    report = run(
        """
        import json
        from vaegan.core import torchvision_compat
        first = torchvision_compat.STATUS
        second = torchvision_compat.ensure_torchvision_importable()
        print(json.dumps({"first": first, "second": second}))
        """
    )
    assert report["first"] in {"native", "schemas-defined"}
    assert report["second"] == "registered"
