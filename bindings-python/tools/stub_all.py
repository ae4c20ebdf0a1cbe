"""Regenerate the `__all__` lists: in python/regcore/_native.pyi from its
top-level classes and functions, and in python/regcore/__init__.py from
_errors.__all__ plus the native names. stubtest checks both against the
built module, so drift fails the test command."""

import ast
import pathlib
import re

pkg = pathlib.Path(__file__).resolve().parent.parent / "python/regcore"


def block(names: list[str]) -> str:
    return "__all__ = [\n" + "".join(f'    "{n}",\n' for n in names) + "]\n"


stub = pkg / "_native.pyi"
text = re.sub(r"\n__all__ = \[\n(?:    \"[^\"]+\",\n)*\]\n", "\n", stub.read_text())
native = sorted(
    set(re.findall(r"^(?:class|def) ([A-Za-z][A-Za-z0-9_]*)", text, re.M))
    | set(re.findall(r"^([A-Z][A-Z0-9_]*): Final", text, re.M))
)
native = ["__version__", *native]
text = text.replace("__version__: Final[str]\n", "__version__: Final[str]\n" + block(native), 1)
stub.write_text(text)

errors_all: list[str] = []
for node in ast.parse((pkg / "_errors.py").read_text()).body:
    if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "__all__":
        errors_all = [ast.literal_eval(e) for e in node.value.elts]  # type: ignore[attr-defined]

init = pkg / "__init__.py"
head = init.read_text().split("__all__ = [", 1)[0].rstrip("\n") + "\n\n"
init.write_text(head + block(errors_all + native))
print(f"{len(native)} native names, {len(errors_all)} error names")
