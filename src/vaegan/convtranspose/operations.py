"""Transposed convolution from scratch (chapter 1).

A convolution slides its kernel *inside the input* and takes sum-products.
A transposed convolution slides it *over the output*: every input pixel stamps
a copy of the kernel, scaled by the pixel's value, into the output, and the
overlapping copies add up.

That description is exactly how the fast path below computes it:

1. **Stamp.** One matrix product multiplies every input pixel by the whole
   kernel: ``columns[b, o, i, j, h, w] = sum_c x[b, c, h, w] * weight[c, o, i, j]``.
2. **Add the copies.** Kernel tap ``(i, j)`` of the copy stamped by input pixel
   ``(h, w)`` lands on output row ``h * stride + i * dilation`` and column
   ``w * stride + j * dilation``.  For a fixed tap that is one strided slice of
   the output, so the whole "overlap-add" is ``kernel_height * kernel_width``
   slice additions ("col2im").
3. **Crop** ``padding`` from each border (padding *removes* output in a
   transposed convolution) and add the bias.

The backward pass is the adjoint of those steps: gather the output gradient
back into columns with a strided *view* (im2col) and multiply by the weight,
which is an ordinary convolution.  The chapter proves that adjointness
numerically; here it is what makes the gradient cheap.

No torch transposed convolution, ``fold`` or ``unfold`` is used on this path.
``conv_transpose1d_minimal`` and ``conv_transpose2d_minimal`` are the short teaching
versions the chapter's exercises ask for.
"""

from __future__ import annotations

import math
from typing import Sequence

import torch
from einops import rearrange
from torch import Tensor, nn

__all__ = [
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose1d_minimal",
    "conv_transpose2d_minimal",
    "conv_transpose_output_size",
    "conv_transpose2d_via_conv",
    "zero_stuff",
    "ConvTranspose2d",
]

IntOrPair = int | Sequence[int]


# ---------------------------------------------------------------------------
# Teaching versions (the chapter's exercises)
# ---------------------------------------------------------------------------


def conv_transpose1d_minimal(x: Tensor, weight: Tensor) -> Tensor:
    """Stride 1, no padding, one sample: ``x (in_channels, width)``,
    ``weight (in_channels, out_channels, kernel_width)`` -> ``(out_channels, width +
    kernel_width
    - 1)``.

    Each input position stamps ``x[:, position] @ weight`` into the output, shifted
    right by ``position``; the copies add up.
    """
    in_channels, width = x.shape
    _, out_channels, kernel_width = weight.shape
    out = x.new_zeros(out_channels, width + kernel_width - 1)
    for position in range(width):
        # (in_channels,) contracted with (in_channels, out_channels, kernel_width)
        stamp = torch.einsum("c,cok->ok", x[:, position], weight)
        out[:, position : position + kernel_width] += stamp
    return out


def conv_transpose2d_minimal(
    x: Tensor, weight: Tensor, stride: int = 1, padding: int = 0
) -> Tensor:
    """Batched 2D version with a square stride and padding, written as the
    stamp-and-add loop over input pixels (slow, but it is the definition).

    ``x (batch, in_channels, height, width)``,
    ``weight (in_channels, out_channels, kernel_height, kernel_width)``.
    """
    batch, in_channels, height, width = x.shape
    _, out_channels, kernel_height, kernel_width = weight.shape
    full_height = (height - 1) * stride + kernel_height
    full_width = (width - 1) * stride + kernel_width
    out = x.new_zeros(batch, out_channels, full_height, full_width)
    for row in range(height):
        for col in range(width):
            stamp = torch.einsum("bc,cokl->bokl", x[:, :, row, col], weight)
            top, left = row * stride, col * stride
            out[:, :, top : top + kernel_height, left : left + kernel_width] += stamp
    # Padding in a transposed convolution crops the "full" output.
    return out[:, :, padding : full_height - padding, padding : full_width - padding]


def zero_stuff(x: Tensor, stride: int) -> Tensor:
    """Insert ``stride - 1`` zeros between neighbouring pixels:
    ``(b, c, h, w)`` -> ``(b, c, (h - 1) * stride + 1, (w - 1) * stride + 1)``."""
    batch, channels, height, width = x.shape
    out = x.new_zeros(
        batch, channels, (height - 1) * stride + 1, (width - 1) * stride + 1
    )
    out[:, :, ::stride, ::stride] = x
    return out


def conv_transpose2d_via_conv(
    x: Tensor, weight: Tensor, stride: int = 1, padding: int = 0
) -> Tensor:
    """The same result as
    ``conv_transpose2d(x, weight, stride=stride, padding=padding)``, computed as an
    ordinary stride-1 convolution (a teaching identity, not a fast path):

    1. zero-stuff the input (``stride - 1`` zeros between pixels);
    2. pad it with ``kernel - 1 - padding`` zeros on every side;
    3. convolve with the kernel flipped in both spatial axes, its in/out channels
       swapped.
    """
    kernel_height, kernel_width = weight.shape[2:]
    if padding > min(kernel_height, kernel_width) - 1:
        raise ValueError("this identity needs padding <= kernel_size - 1")
    stuffed = zero_stuff(x, stride)
    pad_h, pad_w = kernel_height - 1 - padding, kernel_width - 1 - padding
    stuffed = torch.nn.functional.pad(stuffed, (pad_w, pad_w, pad_h, pad_h))
    flipped = rearrange(weight.flip(2, 3), "c_in c_out kh kw -> c_out c_in kh kw")
    return torch.nn.functional.conv2d(stuffed, flipped)


# ---------------------------------------------------------------------------
# Argument handling
# ---------------------------------------------------------------------------


def _pair(value: IntOrPair, name: str) -> tuple[int, int]:
    if isinstance(value, int):
        return (value, value)
    value = tuple(value)
    if len(value) == 1:
        return (int(value[0]), int(value[0]))
    if len(value) != 2 or not all(isinstance(v, int) for v in value):
        raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
    return value  # type: ignore[return-value]


def conv_transpose_output_size(
    size: int,
    kernel_size: int,
    stride: int = 1,
    padding: int = 0,
    output_padding: int = 0,
    dilation: int = 1,
) -> int:
    """Output length along one axis: ``(size - 1) * stride - 2 * padding``
    ``+ dilation * (kernel_size - 1) + output_padding + 1``.
    """
    return (
        (size - 1) * stride
        - 2 * padding
        + dilation * (kernel_size - 1)
        + output_padding
        + 1
    )


def _check_output_padding(output_padding, stride, dilation) -> None:
    for op, s, d in zip(output_padding, stride, dilation):
        if op < 0 or not (op < s or op < d):
            raise ValueError(
                f"output_padding ({op}) must be smaller than either stride ({s}) or dilation ({d}): "
                "it only resolves the ambiguity of which output size a strided convolution came from"
            )


def _validate(
    x: Tensor,
    weight: Tensor,
    bias: Tensor | None,
    stride: tuple[int, int],
    padding: tuple[int, int],
    output_padding: tuple[int, int],
    groups: int,
    dilation: tuple[int, int],
) -> None:
    if x.dim() != 4:
        raise ValueError(
            f"conv_transpose2d expects a 4D input (batch, channels, height, width), got shape {tuple(x.shape)}; "
            "add a batch dimension with x.unsqueeze(0) for a single image"
        )
    if weight.dim() != 4:
        raise ValueError(
            "weight must be 4D (in_channels, out_channels // groups, kernel_height, kernel_width), "
            f"got shape {tuple(weight.shape)}"
        )
    if groups < 1:
        raise ValueError(f"groups must be a positive integer, got {groups}")
    in_channels = x.shape[1]
    if in_channels % groups != 0:
        raise ValueError(
            f"in_channels ({in_channels}) must be divisible by groups ({groups})"
        )
    if weight.shape[0] != in_channels:
        raise ValueError(
            f"weight.shape[0] ({weight.shape[0]}) must equal the input's channels ({in_channels}): "
            "a transposed convolution's weight is (in_channels, out_channels // groups, kH, kW)"
        )
    if any(s < 1 for s in stride):
        raise ValueError(f"stride must be positive, got {stride}")
    if any(d < 1 for d in dilation):
        raise ValueError(f"dilation must be positive, got {dilation}")
    if any(p < 0 for p in padding):
        raise ValueError(f"padding must be non-negative, got {padding}")
    _check_output_padding(output_padding, stride, dilation)
    out_channels = weight.shape[1] * groups
    if bias is not None and bias.shape != (out_channels,):
        raise ValueError(
            f"bias must have shape ({out_channels},), got {tuple(bias.shape)}"
        )
    for axis, (size, k, s, p, op, d) in enumerate(
        zip(x.shape[2:], weight.shape[2:], stride, padding, output_padding, dilation)
    ):
        if conv_transpose_output_size(size, k, s, p, op, d) < 1:
            raise ValueError(
                f"padding {p} is too large along spatial axis {axis}: the output would be empty "
                f"(input {size}, kernel {k}, stride {s}, dilation {d})"
            )


# ---------------------------------------------------------------------------
# The fast path
# ---------------------------------------------------------------------------


# Columns (every input pixel times the whole kernel) are built for a slice of the
# batch at a time, sized so that they stay in cache between the matrix product
# that writes them and the additions that read them: 2**22 float32s is 16 MB.
COLUMN_BUDGET = 2**22


def _chunk_size(batch: int, columns_per_sample: int) -> int:
    return max(1, min(batch, COLUMN_BUDGET // max(1, columns_per_sample)))


def _stamp(x: Tensor, weight_matrix: Tensor, groups: int) -> Tensor:
    """Multiply every input pixel by the whole kernel, one matrix product per group.

    ``x (b, c, h, w)``, ``weight_matrix (g, (o kh kw), c/g)`` -> columns
    ``(g, (o kh kw), (b h w))``.
    """
    return torch.matmul(
        weight_matrix, rearrange(x, "b (g c) h w -> g c (b h w)", g=groups)
    )


def _add_copies(taps: Tensor, out_full: Tensor, stride, dilation) -> None:
    """col2im: add every kernel tap's plane into the output, in place.

    ``taps (o, kh, kw, b, h, w)``; ``out_full (o, b, H, W)``.  Tap ``(i, j)`` of the
    copy stamped by input pixel ``(r, c)`` lands on output pixel
    ``(r * stride + i * dilation, c * stride + j * dilation)``: for a fixed tap, one
    strided slice of the output.
    """
    _, kernel_height, kernel_width, _, height, width = taps.shape
    for i in range(kernel_height):
        top = i * dilation[0]
        rows = slice(top, top + (height - 1) * stride[0] + 1, stride[0])
        for j in range(kernel_width):
            left = j * dilation[1]
            cols = slice(left, left + (width - 1) * stride[1] + 1, stride[1])
            out_full[:, :, rows, cols] += taps[:, i, j]


def _gather_copies(
    grad_full: Tensor, kernel: tuple[int, int], size: tuple[int, int], stride, dilation
) -> Tensor:
    """im2col, the adjoint of ``_add_copies``: for every kernel tap and input pixel,
    read the output position that tap was added to.  A strided view, no copy.

    ``grad_full (o, b, H, W)`` -> ``(o, kh, kw, b, h, w)``.
    """
    (kernel_height, kernel_width), (height, width) = kernel, size
    so, sb, sh, sw = grad_full.stride()
    return grad_full.as_strided(
        (
            grad_full.shape[0],
            kernel_height,
            kernel_width,
            grad_full.shape[1],
            height,
            width,
        ),
        (so, sh * dilation[0], sw * dilation[1], sb, sh * stride[0], sw * stride[1]),
    )


class _ConvTranspose2dFunction(torch.autograd.Function):
    """Forward: stamp and add.  Backward: gather and multiply (a convolution)."""

    @staticmethod
    def forward(
        ctx, x, weight, bias, stride, padding, output_padding, groups, dilation
    ):
        batch, _, height, width = x.shape
        _, out_per_group, kernel_height, kernel_width = weight.shape
        out_channels = out_per_group * groups
        full_height = (height - 1) * stride[0] + dilation[0] * (kernel_height - 1) + 1
        full_width = (width - 1) * stride[1] + dilation[1] * (kernel_width - 1) + 1
        out_height = full_height - 2 * padding[0] + output_padding[0]
        out_width = full_width - 2 * padding[1] + output_padding[1]
        # output_padding can ask for rows past the full extent: they only get the bias.
        buffer_height = max(full_height, padding[0] + out_height)
        buffer_width = max(full_width, padding[1] + out_width)

        weight_matrix = rearrange(weight, "(g c) o kh kw -> g (o kh kw) c", g=groups)
        out_full = x.new_zeros(batch, out_channels, buffer_height, buffer_width)
        chunk = _chunk_size(
            batch, out_channels * kernel_height * kernel_width * height * width
        )
        for start in range(0, batch, chunk):
            columns = _stamp(x[start : start + chunk], weight_matrix, groups)
            taps = columns.reshape(
                out_channels, kernel_height, kernel_width, -1, height, width
            )
            _add_copies(
                taps, out_full[start : start + chunk].transpose(0, 1), stride, dilation
            )

        out = out_full[
            :,
            :,
            padding[0] : padding[0] + out_height,
            padding[1] : padding[1] + out_width,
        ]
        out = out + bias.view(1, -1, 1, 1) if bias is not None else out.contiguous()
        ctx.save_for_backward(x, weight)
        ctx.has_bias = bias is not None
        ctx.geometry = (
            stride,
            padding,
            groups,
            dilation,
            (buffer_height, buffer_width),
        )
        return out

    @staticmethod
    def backward(ctx, grad_out):
        x, weight = ctx.saved_tensors
        stride, padding, groups, dilation, (buffer_height, buffer_width) = ctx.geometry
        batch, in_channels, height, width = x.shape
        _, out_per_group, kernel_height, kernel_width = weight.shape
        out_channels = out_per_group * groups
        out_height, out_width = grad_out.shape[2:]
        need_x, need_weight, need_bias = ctx.needs_input_grad[:3]

        # Undo the crop: positions that were cropped away received no gradient.
        grad_full = grad_out.new_zeros(batch, out_channels, buffer_height, buffer_width)
        grad_full[
            :,
            :,
            padding[0] : padding[0] + out_height,
            padding[1] : padding[1] + out_width,
        ] = grad_out

        weight_matrix = rearrange(weight, "(g c) o kh kw -> g (o kh kw) c", g=groups)
        grad_x = torch.empty_like(x) if need_x else None
        grad_weight_matrix = (
            weight.new_zeros(weight_matrix.shape) if need_weight else None
        )
        chunk = _chunk_size(
            batch, out_channels * kernel_height * kernel_width * height * width
        )
        for start in range(0, batch, chunk):
            stop = min(start + chunk, batch)
            grad_taps = _gather_copies(
                grad_full[start:stop].transpose(0, 1),
                (kernel_height, kernel_width),
                (height, width),
                stride,
                dilation,
            )
            grad_columns = grad_taps.reshape(
                groups, out_per_group * kernel_height * kernel_width, -1
            )
            if need_x:
                grad_chunk = torch.matmul(weight_matrix.transpose(1, 2), grad_columns)
                grad_x[start:stop] = rearrange(
                    grad_chunk, "g c (b h w) -> b (g c) h w", h=height, w=width
                )
            if need_weight:
                x_chunk = rearrange(
                    x[start:stop], "b (g c) h w -> g (b h w) c", g=groups
                )
                grad_weight_matrix += torch.matmul(grad_columns, x_chunk)

        grad_weight = grad_bias = None
        if need_weight:
            grad_weight = rearrange(
                grad_weight_matrix,
                "g (o kh kw) c -> (g c) o kh kw",
                kh=kernel_height,
                kw=kernel_width,
            )
        if ctx.has_bias and need_bias:
            grad_bias = grad_out.sum(dim=(0, 2, 3))
        return grad_x, grad_weight, grad_bias, None, None, None, None, None


def conv_transpose2d(
    x: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    output_padding: IntOrPair = 0,
    groups: int = 1,
    dilation: IntOrPair = 1,
) -> Tensor:
    """Same arguments and result as ``torch.nn.functional.conv_transpose2d``.

    ``x (batch, in_channels, height, width)``,
    ``weight (in_channels, out_channels // groups, kernel_height, kernel_width)``
    -> ``(batch, out_channels, out_height, out_width)`` with each output size given by
    :func:`conv_transpose_output_size`.
    """
    stride, padding = _pair(stride, "stride"), _pair(padding, "padding")
    output_padding, dilation = _pair(output_padding, "output_padding"), _pair(
        dilation, "dilation"
    )
    _validate(x, weight, bias, stride, padding, output_padding, groups, dilation)
    return _ConvTranspose2dFunction.apply(
        x, weight, bias, stride, padding, output_padding, groups, dilation
    )


def conv_transpose1d(
    x: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int = 1,
    padding: int = 0,
    output_padding: int = 0,
    groups: int = 1,
    dilation: int = 1,
) -> Tensor:
    """Same arguments and result as ``torch.nn.functional.conv_transpose1d``:
    ``x (batch, in_channels, width)``,
    ``weight (in_channels, out_channels // groups, kernel_width)``.

    A 1D transposed convolution is a 2D one over an image of height 1.
    """
    if x.dim() != 3:
        raise ValueError(
            f"conv_transpose1d expects a 3D input (batch, channels, width), got shape {tuple(x.shape)}"
        )
    if weight.dim() != 3:
        raise ValueError(
            f"weight must be 3D (in_channels, out_channels // groups, kernel_width), got shape {tuple(weight.shape)}"
        )
    scalars = {
        "stride": stride,
        "padding": padding,
        "output_padding": output_padding,
        "dilation": dilation,
    }
    for name, value in scalars.items():
        if not isinstance(value, int):
            (value,) = value  # accept (n,) like torch does
            scalars[name] = value
    out = conv_transpose2d(
        x.unsqueeze(2),
        weight.unsqueeze(2),
        bias,
        stride=(1, scalars["stride"]),
        padding=(0, scalars["padding"]),
        output_padding=(0, scalars["output_padding"]),
        groups=groups,
        dilation=(1, scalars["dilation"]),
    )
    return out.squeeze(2)


class ConvTranspose2d(nn.Module):
    """Drop-in for ``torch.nn.ConvTranspose2d``: same constructor, parameter names,
    shapes and initialisation, so ``state_dict``s load either way."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: IntOrPair,
        stride: IntOrPair = 1,
        padding: IntOrPair = 0,
        output_padding: IntOrPair = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: IntOrPair = 1,
        padding_mode: str = "zeros",
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        if padding_mode != "zeros":
            raise ValueError(
                f"only padding_mode='zeros' is supported for ConvTranspose2d, got {padding_mode!r}"
            )
        if in_channels <= 0 or out_channels <= 0:
            raise ValueError(
                f"channels must be positive, got in={in_channels}, out={out_channels}"
            )
        if in_channels % groups != 0:
            raise ValueError(
                f"in_channels ({in_channels}) must be divisible by groups ({groups})"
            )
        if out_channels % groups != 0:
            raise ValueError(
                f"out_channels ({out_channels}) must be divisible by groups ({groups})"
            )
        self.in_channels, self.out_channels, self.groups = (
            in_channels,
            out_channels,
            groups,
        )
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.stride = _pair(stride, "stride")
        self.padding = _pair(padding, "padding")
        self.output_padding = _pair(output_padding, "output_padding")
        self.dilation = _pair(dilation, "dilation")
        _check_output_padding(self.output_padding, self.stride, self.dilation)
        factory = {"device": device, "dtype": dtype}
        self.weight = nn.Parameter(
            torch.empty(
                in_channels, out_channels // groups, *self.kernel_size, **factory
            )
        )
        if bias:
            self.bias = nn.Parameter(torch.empty(out_channels, **factory))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        # The same scheme as torch.nn.ConvTranspose2d (kaiming-uniform with a =
        # sqrt(5)).
        nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.weight.shape[1] * self.kernel_size[0] * self.kernel_size[1]
            bound = 1 / math.sqrt(fan_in)
            nn.init.uniform_(self.bias, -bound, bound)

    def forward(self, x: Tensor) -> Tensor:
        """``x (batch, in_channels, height, width)`` ->
        ``(batch, out_channels, H_out, W_out)``."""
        return conv_transpose2d(
            x,
            self.weight,
            self.bias,
            self.stride,
            self.padding,
            self.output_padding,
            self.groups,
            self.dilation,
        )

    def extra_repr(self) -> str:
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0):
            text += f", padding={self.padding}"
        if self.output_padding != (0, 0):
            text += f", output_padding={self.output_padding}"
        if self.dilation != (1, 1):
            text += f", dilation={self.dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        return text
