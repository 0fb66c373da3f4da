"""all-MiniLM-L6-v2 sentence embeddings on ONNX Runtime: `safety.encoder.MiniLM`'s vectors, faster.

`safety.encoder.MiniLM` runs the encoder in NumPy (12 ms p50 for a short message here, 90 ms for a
long one); triage must read a whole message, often several encodes, in 30 ms. This module writes the
same network as an ONNX graph from the same safetensors weights (no torch, no transformers, no
download), quantises it to int8, and runs it with one ONNX Runtime session per process: 0.8 ms p50
for a short message, 7.8 ms for a long one.

Building needs the `onnx` package, which only the app environment has: `./kindred setup` calls
`ensure_graph()` there, and the Rasa environment, which has only `onnxruntime`, loads the files it
left in `var/cache/onnx/`.

The graph takes `input_ids` and `attention_mask` (int64, [batch, seq]) and gives `embedding`
(float32, [batch, 384]): masked mean pooling, then L2 normalisation.

Quantisation. Against the NumPy encoder on the 1,944 NLU examples, plain `quantize_dynamic` of every
MatMul gives a worst cosine of 0.77 (mean 0.95), and with per-channel weights 0.96 (mean 0.991):
BERT's activations have a few huge channels and, at some tokens, huge values, and dynamic
quantisation gives a whole activation tensor one scale. So the int8 graph (`quantise_graph`):

- moves those channels' range into the weights first (SmoothQuant, Xiao et al. 2022: exact in float,
  with scales from a few built-in calibration sentences), for the inputs of Q/K/V and of the first
  feed-forward MatMul, which both read a LayerNorm's output;
- quantises Q, K, V, the attention output and the first feed-forward MatMul with `quantize_dynamic`
  (int8 weights per output channel, uint8 activations per tensor);
- quantises the second feed-forward MatMul, whose input (the GELU's output) has per-token outliers
  that no per-tensor scale survives, with ONNX Runtime's `MatMulNBits` (8-bit weights in blocks of
  32, activations quantised per row and block: accuracy level 4);
- leaves the attention's own two MatMuls (activation by activation) in float.

Worst cosine 0.9955, mean 0.9992. (`MatMulNBits` everywhere: 0.9966, but as slow as float on long
texts; static quantisation: 0.986.) The float graph, `graph_paths()[0]`, is also kept: worst cosine
0.999996, 3.5x slower for a short text, 1.8x for a long one.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort

from safety.encoder import DIMENSIONS, WordPiece, model_dir, read_safetensors

ROOT = Path(__file__).resolve().parent.parent
# Part of the cached files' names: bump it whenever the graph, its quantisation or CALIBRATION
# changes, so every process builds (or waits for) the new files instead of loading stale ones.
GRAPH_VERSION = "minilm-l6-onnx-v1"
OPSET = 17  # the first opset with LayerNormalization
LAYERS, HEADS, HIDDEN = 6, 12, 384
EPSILON = 1e-12
MAX_TOKENS = 128  # as `WordPiece.ids`'s default, which `MiniLM` uses: [CLS] + 126 pieces + [SEP]
# Added to the attention scores of padding positions: exp() of it is 0 in float32, and no row is all
# padding because [CLS] and [SEP] are always there.
MASKED = -1e9
# SmoothQuant's migration strength. Worst cosine to the NumPy encoder on the NLU examples: 0.9931
# at 0.5 (the paper's default), 0.9942 at 0.6, 0.9955 at 0.7, 0.9954 at 0.8.
SMOOTHING = 0.7
# MatMulNBits' block size: 64 and 128 were a few % faster and a little worse.
NBITS_BLOCK = 32
# The sentences whose activations set the smoothing scales: built in (not the NLU data) so the graph
# does not change when the training data does. Varied in length, register and punctuation; the
# outlier channels are a property of the model, so a few dozen are enough.
CALIBRATION = (
    "hello",
    "thanks",
    "ok",
    "no thank you",
    "yes please",
    "bye for now",
    "lol yeah",
    "Good morning, how are you today?",
    "Tell me a joke!",
    "What's the weather like?",
    "I haven't spoken to anyone in days.",
    "my daughter lives far away and rarely calls",
    "Can you tell me about groups near me for older people?",
    "Where can I find a lunch club in Leeds?",
    "Is there a helpline I can ring at night?",
    "How do I volunteer to visit people?",
    "Could you remind me what we talked about yesterday?",
    "I feel so alone since my husband died last year.",
    "I'm a carer for my mum and I'm exhausted.",
    "I moved here recently and don't know anybody.",
    "I don't see the point in anything any more",
    "My neighbour hasn't been seen for a week, I'm worried about her.",
    "I used to love gardening but my knees won't let me now. The days feel very long.",
    "It's been hard since the stroke; I can't get out much and my friends stopped visiting.",
)
# The MatMuls of each layer (named `layer<i>/<kind>/MatMul` in the graph) and how they are quantised.
DYNAMIC_INT8 = ("q", "k", "v", "o", "ff1")
NBITS_INT8 = ("ff2",)
# Model metadata: "false" when a text's vector depends on the other texts run in the same batch.
BATCH_INVARIANT = "kindred.batch_invariant"


def cache_dir() -> Path:
    """Where the graphs are kept: `var/cache/onnx` in the project, like `safety.semantic.CACHE`.

    They are built from the installed weights by `./kindred setup` in the app environment (the Rasa
    environment has no `onnx` to build them), so every process on the machine, whatever its
    `KINDRED_VAR` (test stacks, scale-out replicas), loads the same files. `KINDRED_ONNX_CACHE`
    moves them (tests build into a temporary folder); read at call time.
    """
    override = os.environ.get("KINDRED_ONNX_CACHE")
    return Path(override) if override else ROOT / "var" / "cache" / "onnx"


# --------------------------------------------------------------------------------------------- building


class _Graph:
    """A small builder over `onnx.helper`: nodes named after their one output, and initialisers."""

    def __init__(self) -> None:
        from onnx import helper, numpy_helper

        self.helper, self.numpy_helper = helper, numpy_helper
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self.count = 0

    def const(self, name: str, value: np.ndarray | float | Sequence[int]) -> str:
        """An initialiser: arrays and Python floats as float32, sequences of ints as int64."""
        if isinstance(value, np.ndarray):
            array = np.ascontiguousarray(value, dtype=np.float32)
        elif isinstance(value, float):
            array = np.asarray(value, dtype=np.float32)
        else:
            array = np.asarray(value, dtype=np.int64)
        self.initializers.append(self.numpy_helper.from_array(array, name))
        return name

    def op(self, op_type: str, inputs: Sequence[str], name: str | None = None, **attributes: Any) -> str:
        """Add a node and return its output's name (the node's name)."""
        self.count += 1
        name = name or f"{op_type}_{self.count}"
        self.nodes.append(self.helper.make_node(op_type, list(inputs), [name], name=name, **attributes))
        return name

    def linear(self, x: str, weight: np.ndarray, bias: np.ndarray, name: str) -> str:
        """x @ weight + bias, `weight` being [in, out]. The MatMul is named `<name>/MatMul` so that
        quantisation can choose it by name."""
        product = self.op("MatMul", [x, self.const(f"{name}.weight", weight)], name=f"{name}/MatMul")
        return self.op("Add", [product, self.const(f"{name}.bias", bias)], name=f"{name}/Add")

    def layer_norm(self, x: str, weight: np.ndarray, bias: np.ndarray, name: str) -> str:
        inputs = [x, self.const(f"{name}.weight", weight), self.const(f"{name}.bias", bias)]
        return self.op("LayerNormalization", inputs, name=name, axis=-1, epsilon=EPSILON)


def _network(w: dict[str, np.ndarray], smooth: dict[str, np.ndarray] | None = None, taps: bool = False) -> Any:
    """The MiniLM graph as an `onnx.ModelProto`.

    Args:
        w: The safetensors tensors.
        smooth: SmoothQuant scales by tap name (`layer<i>/attention_in`, `layer<i>/ffn_in`): that
            activation's channel j is divided by s[j] and the weight rows reading it multiplied by
            s[j]. Exact in float; it moves outlier channels' range from the activations (quantised
            per tensor at run time) into the weights (quantised per column, once).
        taps: Also output those activations, under their tap names (for calibration).
    """
    from onnx import TensorProto, helper

    smooth = smooth or {}
    g = _Graph()
    head = HIDDEN // HEADS
    tapped: list[str] = []

    def matmul_input(x: str, tap: str) -> str:
        if taps:
            tapped.append(g.op("Identity", [x], name=tap))
        if tap not in smooth:
            return x
        return g.op("Mul", [x, g.const(f"{tap}/inverse_scale", 1.0 / smooth[tap])], name=f"{tap}/smoothed")

    def weight(key: str, tap: str | None = None) -> np.ndarray:
        # PyTorch's Linear stores [out, in]; MatMul wants [in, out].
        matrix = w[key + ".weight"].T
        return matrix * smooth[tap][:, None] if tap in smooth else matrix

    # Embeddings. The token type is always 0 (one sentence), so its row is added to the position table.
    x = g.op("Gather", [g.const("word_embeddings", w["embeddings.word_embeddings.weight"]), "input_ids"])
    positions = w["embeddings.position_embeddings.weight"] + w["embeddings.token_type_embeddings.weight"][0]
    # The first `seq` rows of the position table. (A Range + Gather here was rewritten by ORT's
    # optimiser into a Slice that failed at run time.)
    length = g.op("Shape", ["input_ids"], start=1, end=2)
    zero = g.const("zero", [0])
    x = g.op("Add", [x, g.op("Slice", [g.const("position_embeddings", positions), zero, length, zero])])
    x = g.layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], "embeddings/LayerNorm")

    # The attention mask as a bias on the scores: 0 for a token, MASKED for padding, [batch, 1, 1, seq].
    mask = g.op("Cast", ["attention_mask"], to=TensorProto.FLOAT)
    padding = g.op("Sub", [g.const("one", 1.0), mask])
    bias = g.op("Unsqueeze", [g.op("Mul", [padding, g.const("masked", MASKED)]), g.const("axes_1_2", [1, 2])])

    to_heads = g.const("to_heads", [0, 0, HEADS, head])
    to_hidden = g.const("to_hidden", [0, 0, HIDDEN])
    # 1/sqrt(head size) is folded into the query's weights and bias, which saves a Div a layer.
    scale = 1.0 / np.sqrt(head)
    for i in range(LAYERS):
        p, name = f"encoder.layer.{i}.", f"layer{i}"
        # Q, K and V as three MatMuls rather than one [384, 1152]: each gets its own weight scales.
        tap = f"{name}/attention_in"
        xs = matmul_input(x, tap)
        q = g.linear(
            xs, weight(p + "attention.self.query", tap) * scale, w[p + "attention.self.query.bias"] * scale, f"{name}/q"
        )
        k = g.linear(xs, weight(p + "attention.self.key", tap), w[p + "attention.self.key.bias"], f"{name}/k")
        v = g.linear(xs, weight(p + "attention.self.value", tap), w[p + "attention.self.value.bias"], f"{name}/v")
        q = g.op("Transpose", [g.op("Reshape", [q, to_heads])], perm=[0, 2, 1, 3])  # [batch, head, seq, 32]
        k = g.op("Transpose", [g.op("Reshape", [k, to_heads])], perm=[0, 2, 3, 1])  # [batch, head, 32, seq]
        v = g.op("Transpose", [g.op("Reshape", [v, to_heads])], perm=[0, 2, 1, 3])  # [batch, head, seq, 32]
        scores = g.op("Add", [g.op("MatMul", [q, k], name=f"{name}/scores"), bias])
        context = g.op("MatMul", [g.op("Softmax", [scores], axis=-1), v], name=f"{name}/context")
        context = g.op("Reshape", [g.op("Transpose", [context], perm=[0, 2, 1, 3]), to_hidden])
        attended = g.linear(
            context, weight(p + "attention.output.dense"), w[p + "attention.output.dense.bias"], f"{name}/o"
        )
        x = g.layer_norm(
            g.op("Add", [x, attended]),
            w[p + "attention.output.LayerNorm.weight"],
            w[p + "attention.output.LayerNorm.bias"],
            f"{name}/attention/LayerNorm",
        )

        # Feed-forward with BERT's exact GELU, x/2 (1 + erf(x/sqrt 2)), which ORT fuses into BiasGelu.
        # (The NumPy encoder uses the tanh approximation: no difference at 5 decimals of cosine.)
        tap = f"{name}/ffn_in"
        hidden = g.linear(
            matmul_input(x, tap), weight(p + "intermediate.dense", tap), w[p + "intermediate.dense.bias"], f"{name}/ff1"
        )
        erf = g.op("Erf", [g.op("Div", [hidden, g.const(f"{name}/sqrt2", float(np.sqrt(2.0)))])])
        gelu = g.op("Mul", [g.op("Mul", [hidden, g.op("Add", [erf, "one"])]), g.const(f"{name}/half", 0.5)])
        down = g.linear(gelu, weight(p + "output.dense"), w[p + "output.dense.bias"], f"{name}/ff2")
        x = g.layer_norm(
            g.op("Add", [x, down]),
            w[p + "output.LayerNorm.weight"],
            w[p + "output.LayerNorm.bias"],
            f"{name}/output/LayerNorm",
        )

    # Masked mean pooling: padding is multiplied by 0 and not counted, so it never enters a vector.
    total = g.op(
        "ReduceSum",
        [g.op("Mul", [x, g.op("Unsqueeze", [mask, g.const("axis_2", [2])])]), g.const("axis_1", [1])],
        keepdims=0,
    )
    count = g.op("Max", [g.op("ReduceSum", [mask, "axis_1"], keepdims=1), g.const("tiny_count", 1e-9)])
    mean = g.op("Div", [total, count])
    # L2 normalisation with the NumPy encoder's floor of 1e-12 on the norm. (In opset 17 ReduceL2 still
    # takes its axes as an attribute; ReduceSum takes them as an input since opset 13.)
    norm = g.op("Max", [g.op("ReduceL2", [mean], axes=[1], keepdims=1), g.const("tiny_norm", 1e-12)])
    g.op("Div", [mean, norm], name="embedding")

    outputs = [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", DIMENSIONS])]
    outputs += [helper.make_tensor_value_info(t, TensorProto.FLOAT, None) for t in tapped]
    inputs = [
        helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"]),
        helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "sequence"]),
    ]
    graph = helper.make_graph(g.nodes, "all-MiniLM-L6-v2", inputs, outputs, g.initializers)
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="kindred", producer_version=GRAPH_VERSION
    )
    # The lowest IR version with opset 17, rather than whatever the installed `onnx` writes by default,
    # so that the ONNX Runtime in the other environment can always read it.
    model.ir_version = 8
    return model


def build_graph(directory: Path, out: Path) -> None:
    """Write the float32 ONNX graph of all-MiniLM-L6-v2 from the safetensors weights in `directory`.

    The network is BERT's: embeddings (word + position + token type 0) and a LayerNorm, then 6 layers
    of 12-head self-attention and a GELU (Erf) feed-forward, each with a residual and a LayerNorm
    (eps 1e-12); then masked mean pooling and L2 normalisation. ONNX Runtime fuses the LayerNorm and
    GELU patterns itself when it loads the graph.

    Args:
        directory: The model folder (`safety.encoder.model_dir()`), with `model.safetensors`.
        out: Where to write the `.onnx` file (written in place: `ensure_graph` makes it atomic).
    """
    import onnx

    model = _network(read_safetensors(directory / "model.safetensors"))
    onnx.helper.set_model_props(model, {BATCH_INVARIANT: "true"})
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, str(out))


def smoothing_scales(directory: Path, alpha: float = SMOOTHING) -> dict[str, np.ndarray]:
    """SmoothQuant's per-channel scales for the inputs of each layer's Q/K/V and first feed-forward MatMul.

    s[j] = max|X[:, j]|^alpha / max|W[j, :]|^(1 - alpha), with the activation maxima from the float
    graph on `CALIBRATION` and the weight maxima over every MatMul that reads X.

    Args:
        directory: The model folder.
        alpha: How much of the activations' range moves into the weights.

    Returns:
        The scales by tap name (`layer<i>/attention_in`, `layer<i>/ffn_in`), float32 [384] each.
    """
    w = read_safetensors(directory / "model.safetensors")
    tokenizer = WordPiece(directory / "vocab.txt")
    session = ort.InferenceSession(_network(w, taps=True).SerializeToString(), providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs() if o.name != "embedding"]
    maxima = {name: np.zeros(HIDDEN, dtype=np.float32) for name in names}
    for text in CALIBRATION:
        ids = np.asarray([tokenizer.ids(text, MAX_TOKENS)], dtype=np.int64)
        values = session.run(names, {"input_ids": ids, "attention_mask": np.ones_like(ids)})
        for name, value in zip(names, values, strict=True):
            maxima[name] = np.maximum(maxima[name], np.abs(value).reshape(-1, HIDDEN).max(0))
    scales = {}
    for name, activation in maxima.items():
        i = int(name.split("/")[0].removeprefix("layer"))
        p = f"encoder.layer.{i}."
        readers = ["attention.self.query", "attention.self.key", "attention.self.value"]
        if name.endswith("ffn_in"):
            readers = ["intermediate.dense"]
        weights = np.abs(np.concatenate([w[p + r + ".weight"] for r in readers])).max(0)  # [out, in] -> [in]
        s = np.maximum(activation, 1e-5) ** alpha / np.maximum(weights, 1e-5) ** (1 - alpha)
        scales[name] = s.astype(np.float32)
    return scales


def quantise_graph(directory: Path, out: Path) -> None:
    """Write the int8 graph (see the module's docstring for why it is built this way).

    The float graph is rebuilt in memory with SmoothQuant scales (`smoothing_scales`), then
    `quantize_dynamic` (per-channel int8 weights) takes Q, K, V, the attention output and the first
    feed-forward MatMul of every layer, and `MatMulNBits` (8 bits, blocks of 32, int8 compute) the
    second feed-forward MatMul.

    Args:
        directory: The model folder, with `model.safetensors` and `vocab.txt`.
        out: Where to write the quantised graph (in place: `ensure_graph` makes it atomic).
    """
    import onnx

    model = _network(read_safetensors(directory / "model.safetensors"), smooth=smoothing_scales(directory))
    with _quiet(), tempfile.TemporaryDirectory(dir=out.parent) as scratch:
        from onnxruntime.quantization import QuantType, quantize_dynamic
        from onnxruntime.quantization.matmul_nbits_quantizer import DefaultWeightOnlyQuantConfig, MatMulNBitsQuantizer

        dynamic = Path(scratch) / "dynamic.onnx"
        quantize_dynamic(
            model,
            dynamic,
            op_types_to_quantize=["MatMul"],
            nodes_to_quantize=[f"layer{i}/{kind}/MatMul" for i in range(LAYERS) for kind in DYNAMIC_INT8],
            weight_type=QuantType.QInt8,
            per_channel=True,
            # The default for dynamic mode, stated: MatMuls of two activations stay float.
            extra_options={"MatMulConstBOnly": True},
        )
        config = DefaultWeightOnlyQuantConfig(
            block_size=NBITS_BLOCK, is_symmetric=True, accuracy_level=4, bits=8, op_types_to_quantize=("MatMul",)
        )
        nbits = MatMulNBitsQuantizer(
            onnx.load(str(dynamic)),
            algo_config=config,
            nodes_to_include=[f"layer{i}/{kind}/MatMul" for i in range(LAYERS) for kind in NBITS_INT8],
        )
        nbits.process()
        # Dynamic activation scales are per tensor, over the whole batch: see `OnnxMiniLM.encode_many`.
        onnx.helper.set_model_props(nbits.model.model, {BATCH_INVARIANT: "false"})
        nbits.model.save_model_to_file(str(out), use_external_data_format=False)


@contextmanager
def _quiet() -> Iterator[None]:
    """Keep the quantisers' logging out of `./kindred setup`'s output, and undo their set-up of it.

    `quantize_dynamic` warns (on the root logger) that the model was not "pre-processed", a step that
    only runs shape inference and the fusions ORT does at load anyway; importing
    `matmul_nbits_quantizer` calls `logging.basicConfig(level=INFO)` and then logs every node.
    """
    root = logging.getLogger()
    handlers, level, disabled = list(root.handlers), root.level, logging.root.manager.disable
    logging.disable(logging.WARNING)
    try:
        yield
    finally:
        logging.disable(disabled)
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)


# --------------------------------------------------------------------------------------------- caching


def _weights_key(weights: Path) -> str:
    """A short hash naming the graphs built from `weights`, by content and GRAPH_VERSION.

    Content, not size and mtime: the two virtual environments each install their own copy of the
    weights package, with different mtimes, and the Rasa one must find the files the app one built.
    Hashing the 87 MB takes about 0.1 s, once a process.
    """
    digest = hashlib.blake2b(GRAPH_VERSION.encode(), digest_size=8)
    with weights.open("rb") as stream:
        while chunk := stream.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def _atomic(write: Callable[[Path], None], target: Path) -> None:
    """`write` a temporary file beside `target`, then rename it: another process starting at the same
    time sees no file or a whole one, never half of one (and two builders just both rename)."""
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    temporary = Path(name)
    try:
        write(temporary)
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide it from a service running as another user
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def graph_paths(directory: Path | None = None) -> tuple[Path, Path]:
    """The float32 and the int8 graph files for the weights in `directory`, built or not."""
    key = _weights_key((directory or model_dir()) / "model.safetensors")
    folder = cache_dir()
    return folder / f"minilm-{key}.onnx", folder / f"minilm-{key}.int8.onnx"


def ensure_graph(directory: Path | None = None) -> Path:
    """The int8 graph `OnnxMiniLM` loads, built under `var/cache/onnx/` (with the float one) if missing.

    Args:
        directory: The model folder; `safety.encoder.model_dir()` by default.

    Returns:
        The path of the int8 graph.

    Raises:
        RuntimeError: If it is missing and this environment cannot build it (no `onnx` package: the
            Rasa environment).
    """
    directory = directory or model_dir()
    full, quantised = graph_paths(directory)
    if quantised.exists():
        return quantised
    try:
        import onnx  # noqa: F401
    except ImportError as error:
        raise RuntimeError(
            f"The ONNX sentence encoder {quantised} has not been built, and this environment has no `onnx` "
            "package to build it. Run `./kindred setup` (it builds it in the app environment)."
        ) from error
    quantised.parent.mkdir(parents=True, exist_ok=True)
    if not full.exists():
        _atomic(lambda path: build_graph(directory, path), full)
    _atomic(lambda path: quantise_graph(directory, path), quantised)
    return quantised


# --------------------------------------------------------------------------------------------- running


class OnnxMiniLM:
    """The sentence encoder on ONNX Runtime, with `safety.encoder.MiniLM`'s interface.

    Build one per process; `encode` and `encode_many` are thread-safe (`InferenceSession.run` is, and
    the tokeniser keeps no state).
    """

    def __init__(self, directory: Path | None = None, graph: Path | None = None, threads: int = 1) -> None:
        """Load the tokeniser and the graph.

        Args:
            directory: The model folder (`vocab.txt`, and the weights if the graph must be built).
            graph: The graph file to load; `ensure_graph(directory)` (the int8 one) by default.
            threads: ONNX Runtime's intra-op threads. 1: the machine's 2 cores are shared by Rasa,
                the action server and the gateway, and on the int8 graph a second thread was slower
                for a short text (1.02 vs 0.84 ms p50) and only 20% faster for a long one (6.2 vs
                7.8 ms).
        """
        directory = directory or model_dir()
        self.tokenizer = WordPiece(directory / "vocab.txt")
        self.pad = self.tokenizer.vocab["[PAD]"]
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # With threads > 1, no worker spinning on the other core between messages.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.graph = graph or ensure_graph(directory)
        self.session = ort.InferenceSession(str(self.graph), sess_options=options, providers=["CPUExecutionProvider"])
        # Whether `encode_many` runs its texts as one padded batch (see there). An attribute, so a
        # benchmark can force it.
        self.batches = self.session.get_modelmeta().custom_metadata_map.get(BATCH_INVARIANT) != "false"

    def _run(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        (vectors,) = self.session.run(["embedding"], {"input_ids": ids, "attention_mask": mask})
        return vectors

    def encode(self, text: str) -> np.ndarray:
        """A unit-length 384-dimensional float32 embedding of `text`."""
        ids = np.asarray([self.tokenizer.ids(text, MAX_TOKENS)], dtype=np.int64)
        return self._run(ids, np.ones_like(ids))[0]

    def encode_many(self, texts: list[str]) -> np.ndarray:
        """Embeddings of several texts, float32 [len(texts), 384]: row i is `encode(texts[i])`.

        On the float graph the texts run as one batch, padded to the longest with an attention
        mask: 4 short sentences take two thirds of the time of 4 `encode` calls, and the vectors
        are the single calls' to 1e-7. On the int8 graph they run one at a time: its dynamically
        quantised MatMuls scale each activation tensor by its maximum over the whole batch, so a
        batched text's vector moved with its neighbours (worst cosine to the NumPy encoder's 0.987,
        against 0.9955 alone), and batching saved no time there (its cost is per token).
        """
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        if not self.batches:
            return np.stack([self.encode(text) for text in texts])
        tokens = [self.tokenizer.ids(text, MAX_TOKENS) for text in texts]
        ids = np.full((len(tokens), max(map(len, tokens))), self.pad, dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, sequence in enumerate(tokens):
            ids[row, : len(sequence)] = sequence
            mask[row, : len(sequence)] = 1
        return self._run(ids, mask)
