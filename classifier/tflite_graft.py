"""Keep a served int8 network's numbers when a branch is grafted onto it.

An int8 export measures every activation's range on calibration inputs. Exporting a network again, even one whose
layers are all the same, measures them again: lite0-224-v13 exported again from its own model.keras moved about 6%
of its output values by up to 0.08 (its calibration set was drawn from crops that a since-retired artifact boxed),
and every figure measured on it would move with them. So when a branch is grafted onto a served network
(training.graft_worn_kind), the new export takes the source export's quantization wherever the two networks are the
same: each operator whose outputs the source has (matched by tensor name) gets the source's scales, zero points and
quantized constants for its inputs and outputs. The new branch keeps the ranges its own calibration measured. Only
TensorFlow's tooling reads and writes the flatbuffers, so this runs where training does.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

# QUANTIZE: an operator that requantizes a tensor to another scale (the converter puts one before a concatenation
# for every input whose scale differs from the concatenation's). RESHAPE keeps its input's scale: a flattened output
# is requantized before its reshape.
_QUANTIZE = 114
_RESHAPE = 22


def keep_quantization(source: Path, grafted: Path) -> dict:
    """Rewrite `grafted` (an int8 .tflite) so that every tensor it shares with `source` (an int8 .tflite of the
    network it was grafted from) carries `source`'s quantization and, for constants, `source`'s quantized values.
    A shared tensor whose shape changed (the single output vector, now longer) gets the quantization only; a new
    tensor requantized into it gets the output's. Returns counts of what was kept; ValueError when a shared tensor's
    type differs (not a graft of `source`)."""
    from tensorflow.lite.tools import flatbuffer_utils  # noqa: PLC0415  (training-side only)

    ref, new = flatbuffer_utils.read_model(str(source)), flatbuffer_utils.read_model(str(grafted))
    if len(ref.subgraphs) != 1 or len(new.subgraphs) != 1:
        raise ValueError("expected single-subgraph models")
    theirs, ours = ref.subgraphs[0], new.subgraphs[0]
    made_by = {theirs.tensors[i].name: op for op in theirs.operators for i in op.outputs}
    pairs: dict[int, int] = {}
    for op in ours.operators:
        names = [ours.tensors[i].name for i in op.outputs]
        if not names or not all(name in made_by for name in names):
            continue
        same = made_by[names[0]]
        pairs.update(zip(op.outputs, same.outputs, strict=True))
        if len(op.inputs) == len(same.inputs):
            pairs.update((a, b) for a, b in zip(op.inputs, same.inputs, strict=True) if a >= 0 and b >= 0)
    by_name = {t.name: i for i, t in enumerate(theirs.tensors)}
    for i in (*ours.inputs, *ours.outputs):
        if ours.tensors[i].name in by_name:
            pairs[i] = by_name[ours.tensors[i].name]
    reshaped = constants = 0
    for a, b in pairs.items():
        mine, source_tensor = ours.tensors[a], theirs.tensors[b]
        if mine.type != source_tensor.type:
            raise ValueError(f"tensor {mine.name!r} is of another type in {source.name}: not a graft of it")
        mine.quantization = copy.deepcopy(source_tensor.quantization)
        if list(mine.shape) != list(source_tensor.shape):
            reshaped += 1
            continue
        data = ref.buffers[source_tensor.buffer].data
        if data is not None and len(data):
            new.buffers[mine.buffer].data = copy.deepcopy(data)
            constants += 1

    def maker_code(tensor: int) -> tuple[Any, int | None]:
        maker = next((o for o in ours.operators if tensor in o.outputs), None)
        if maker is None:
            return None, None
        code = new.operatorCodes[maker.opcodeIndex]
        return maker, max(code.builtinCode, code.deprecatedBuiltinCode)

    requantized = 0
    for op in ours.operators:
        output = op.outputs[0]
        if output not in pairs:
            continue
        for i in op.inputs:
            if i < 0 or i in pairs:
                continue
            chain, (maker, code) = [i], maker_code(i)
            while code == _RESHAPE and maker is not None and maker.inputs[0] not in pairs:
                chain.append(maker.inputs[0])
                maker, code = maker_code(maker.inputs[0])
            if code == _QUANTIZE:
                for tensor in chain:
                    ours.tensors[tensor].quantization = copy.deepcopy(ours.tensors[output].quantization)
                requantized += 1
    flatbuffer_utils.write_model(new, str(grafted))
    return {
        "tensors_kept": len(pairs),
        "constants_kept": constants,
        "reshaped": reshaped,
        "requantized": requantized,
        "new_tensors": len(ours.tensors) - len(pairs),
    }
