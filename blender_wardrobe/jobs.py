"""Long work off the main thread: a worker runs pure engine code, the main thread polls it from a modal timer.

The worker never touches ``bpy``; it only reads the numpy inputs it was given and reports progress.
``cancel()`` makes the next progress report raise, so the work stops between steps.
"""

import threading
from dataclasses import dataclass

import bpy

from .engine import fabric_surface

Cancelled = fabric_surface.Cancelled


class Job:
    def __init__(self, work):
        self._work = work  # work(progress) -> result; progress(fraction, text) may raise Cancelled
        self._cancel = threading.Event()
        self._thread = None
        self.fraction, self.text = 0.0, "Starting"
        self.result = self.error = None
        self.cancelled = False

    def _progress(self, fraction: float, text: str = ""):
        if self._cancel.is_set():
            raise Cancelled()
        self.fraction, self.text = float(fraction), text or self.text

    def _run(self):
        try:
            self.result = self._work(self._progress)
        except Cancelled:
            self.cancelled = True
        except Exception as exc:  # reported on the main thread, never lost
            self.error = exc

    def start(self):
        self._thread = threading.Thread(target=self._run, name="wardrobe-job", daemon=True)
        self._thread.start()

    def run_sync(self):
        """Background mode (``blender -b``): no event loop, so run on the calling thread."""
        self._run()

    def cancel(self):
        self._cancel.set()

    def wait(self, timeout=None):
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def done(self) -> bool:
        return self._thread is None or not self._thread.is_alive()


@dataclass
class _State:
    job: Job | None = None  # one long job at a time: a double click must not start a second one


_state = _State()


def busy() -> bool:
    return _state.job is not None


class JobOperator:
    """Mixin for operators whose work runs as a :class:`Job`.

    Subclasses implement ``prepare(context) -> str | None`` (read bpy data into numpy, set
    ``self.job``; return a problem message to cancel) and ``finish(context) -> set`` (main thread:
    apply ``self.job.result`` to bpy data). ``execute`` runs synchronously (background mode,
    scripts); ``invoke`` runs the job on a worker thread with a progress bar, and Esc cancels.
    """

    job_label = "Working"

    def _prepared(self, context) -> bool:
        """Refuse while another job runs, else ``prepare``; False (reported) when it cannot start."""
        problem = ("Another Wardrobe job is running: wait for it, or press Esc to cancel it" if busy()
                   else self.prepare(context))
        if problem:
            self.report({"ERROR"}, problem)
        return not problem

    def execute(self, context):
        if not self._prepared(context):
            return {"CANCELLED"}
        self.job.run_sync()
        return self._done(context)

    def invoke(self, context, event):
        if bpy.app.background:
            return self.execute(context)
        if not self._prepared(context):
            return {"CANCELLED"}
        _state.job = self.job
        self.job.start()
        wm = context.window_manager
        self._timer = wm.event_timer_add(0.1, window=context.window)
        wm.progress_begin(0, 100)
        wm.modal_handler_add(self)
        return {"RUNNING_MODAL"}

    def _cleanup(self, context):
        wm = context.window_manager
        wm.event_timer_remove(self._timer)
        wm.progress_end()
        if context.workspace is not None:
            context.workspace.status_text_set(None)
        _state.job = None

    def modal(self, context, event):
        job = self.job
        if event.type == "ESC":
            job.cancel()
            job.wait()
            self._cleanup(context)
            self.report({"WARNING"}, f"{self.job_label} cancelled; nothing was changed")
            return {"CANCELLED"}
        if event.type != "TIMER":
            return {"PASS_THROUGH"}
        context.window_manager.progress_update(int(job.fraction * 100))
        if context.workspace is not None:
            context.workspace.status_text_set(f"Wardrobe: {job.text} ({job.fraction:.0%}), Esc to cancel")
        if not job.done:
            return {"RUNNING_MODAL"}
        self._cleanup(context)
        return self._done(context)

    def _done(self, context):
        job = self.job
        if job.cancelled:
            self.report({"WARNING"}, f"{self.job_label} cancelled; nothing was changed")
            return {"CANCELLED"}
        if job.error is not None:
            msg = "out of memory: choose a smaller size" if isinstance(job.error, MemoryError) else str(job.error)
            self.report({"ERROR"}, f"{self.job_label} failed: {msg}")
            return {"CANCELLED"}
        return self.finish(context)


def find_object(context, pointer: int):
    """The object with this pointer if it still exists (it may have been deleted while a job ran)."""
    for obj in context.scene.objects:
        if obj.as_pointer() == pointer:
            return obj
    return None
