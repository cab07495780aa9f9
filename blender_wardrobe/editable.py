"""Whether the add-on may change an object's data: linked and overridden data do not keep our edits.

Materials, shape keys and binding attributes written on library data are not saved with this file,
so the work would silently vanish on reopen; such objects are refused with the fix instead.
"""


def problem(obj) -> str | None:
    """Why ``obj`` (or its mesh) cannot be changed here, naming the fix; None when it can."""
    for block, what in ((obj, "object"), (obj.data, "mesh")):
        if block is None:
            continue
        if block.library is not None:
            return (f"'{obj.name}': its {what} is linked from {block.library.filepath}, so changes would not be "
                    "saved: make it local (Object > Relations > Make Local) or edit it in that file")
        if getattr(block, "override_library", None) is not None:
            return (f"'{obj.name}': its {what} is a library override, which does not keep materials, shape keys "
                    "or attributes: make it local (Object > Library Override > Make Local)")
    return None
