"""The ONNX Runtime sentence encoder gives the NumPy encoder's vectors, alone and in batches."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from safety import onnx_encoder
from safety.encoder import DIMENSIONS, MiniLM
from safety.onnx_encoder import OnnxMiniLM, ensure_graph, graph_paths

pytest.importorskip("onnx", reason="building the graph needs the app environment's `onnx`")

LONG = " ".join(["I have not left the flat since my operation in March and the days all run together."] * 24)[:2000]
SENTENCES = [
    "",
    "   ",
    "hi",
    "thanks",
    "thank you very much",
    "ok 👍",
    "😢😢😢",
    "I feel so alone 😔 nobody calls any more",
    "What's on at the library this week?",
    "Is there a lunch club near Hebden Bridge?",
    "my husband died last year and the house is so quiet",
    "I'm a carer for my mum, she has dementia, and I'm exhausted.",
    "i dont see the point of anything anymore tbh",
    "I just want to go to sleep and not have to wake up to any of this",
    "Can you remind me what we talked about yesterday?",
    "WHY WON'T ANYONE LISTEN TO ME",
    "café crème brûlée, naïve façade",
    "Мне очень одиноко, никто не звонит.",
    "我很孤独，没有人和我说话。",
    "أشعر بالوحدة الشديدة",
    "मैं बहुत अकेला महसूस करता हूँ",
    "Ich fühle mich sehr einsam seit dem Umzug.",
    "call 0800 123 4567 or visit https://example.org/help?id=42",
    "!!!???...",
    "a" * 150,
    "The bus was late again. My knees hurt. I miss my sister, she lives in Australia now.",
    "lol yeah same",
    "Good morning! How are you today?",
    "He shouts at me and I'm scared to go home.",
    LONG,
]


@pytest.fixture(scope="module")
def var(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A var folder of the tests' own, with the graphs built in it once for the module."""
    folder = tmp_path_factory.mktemp("var")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KINDRED_ONNX_CACHE", str(folder / "cache" / "onnx"))
        ensure_graph()
        yield folder


@pytest.fixture(scope="module")
def encoder(var: Path) -> OnnxMiniLM:
    return OnnxMiniLM()


@pytest.fixture(scope="module")
def float_encoder(var: Path) -> OnnxMiniLM:
    return OnnxMiniLM(graph=graph_paths()[0])


@pytest.fixture(scope="module")
def reference() -> np.ndarray:
    numpy_encoder = MiniLM()
    return np.stack([numpy_encoder.encode(text) for text in SENTENCES])


def test_builds_into_its_cache_folder(var: Path) -> None:
    full, quantised = graph_paths()
    assert quantised == ensure_graph()
    assert full.parent == quantised.parent == var / "cache" / "onnx"
    assert full.is_file() and quantised.is_file()
    # Renamed into place: no temporary files are left behind.
    assert sorted(p.name for p in quantised.parent.iterdir()) == sorted([full.name, quantised.name])


def test_does_not_rebuild(var: Path) -> None:
    quantised = graph_paths()[1]
    before = quantised.stat().st_mtime_ns
    assert ensure_graph() == quantised
    assert quantised.stat().st_mtime_ns == before


def test_cache_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("KINDRED_ONNX_CACHE", raising=False)
    # A stack with a var folder of its own still loads the graph built by ./kindred setup.
    monkeypatch.setenv("KINDRED_VAR", str(tmp_path))
    assert onnx_encoder.cache_dir() == onnx_encoder.ROOT / "var" / "cache" / "onnx"
    monkeypatch.setenv("KINDRED_ONNX_CACHE", str(tmp_path / "graphs"))
    assert onnx_encoder.cache_dir() == tmp_path / "graphs"


def test_missing_graph_without_onnx_says_what_to_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The Rasa environment has no `onnx`: it must say how to build the graph, not fail obscurely."""
    monkeypatch.setenv("KINDRED_ONNX_CACHE", str(tmp_path / "cache" / "onnx"))
    monkeypatch.setitem(sys.modules, "onnx", None)  # `import onnx` now raises ImportError
    with pytest.raises(RuntimeError, match=r"\./kindred setup"):
        ensure_graph()
    assert not (tmp_path / "cache" / "onnx").exists()


@pytest.mark.parametrize("index", range(len(SENTENCES)), ids=lambda i: repr(SENTENCES[i][:30]))
def test_int8_matches_numpy(encoder: OnnxMiniLM, reference: np.ndarray, index: int) -> None:
    vector = encoder.encode(SENTENCES[index])
    assert vector.dtype == np.float32 and vector.shape == (DIMENSIONS,)
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-5
    assert float(vector @ reference[index]) >= 0.99


def test_float_graph_matches_numpy(float_encoder: OnnxMiniLM, reference: np.ndarray) -> None:
    vectors = np.stack([float_encoder.encode(text) for text in SENTENCES])
    assert (vectors * reference).sum(1).min() >= 0.9999


def test_batch_is_single(encoder: OnnxMiniLM) -> None:
    """Short, empty and 128-token texts together: padding must not change any of them."""
    single = np.stack([encoder.encode(text) for text in SENTENCES])
    batch = encoder.encode_many(SENTENCES)
    assert batch.dtype == np.float32 and batch.shape == (len(SENTENCES), DIMENSIONS)
    assert np.abs(batch - single).max() < 1e-6


def test_float_graph_batches_with_padding(float_encoder: OnnxMiniLM) -> None:
    """The float graph really runs one padded batch: the mask keeps padding out of every vector."""
    assert float_encoder.batches
    single = np.stack([float_encoder.encode(text) for text in SENTENCES])
    assert np.abs(float_encoder.encode_many(SENTENCES) - single).max() < 1e-5
    assert np.abs(float_encoder.encode_many(SENTENCES[::-1]) - single[::-1]).max() < 1e-5


def test_encode_many_of_nothing(encoder: OnnxMiniLM) -> None:
    empty = encoder.encode_many([])
    assert empty.shape == (0, DIMENSIONS) and empty.dtype == np.float32


def test_threads_share_one_encoder(encoder: OnnxMiniLM) -> None:
    texts = SENTENCES * 4
    expected = np.stack([encoder.encode(text) for text in texts])
    workers = min(4, (os.cpu_count() or 1) * 2)
    with ThreadPoolExecutor(workers) as pool:
        got = np.stack(list(pool.map(encoder.encode, texts)))
    assert np.abs(got - expected).max() < 1e-6
