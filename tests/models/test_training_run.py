"""The training frame every trainer shares: resume where it stopped, one log, atomic checkpoints."""

import json

import torch

from models.run import TrainingRun, ema_update, gaussian_kl


def test_a_run_resumes_its_step_state_and_wall_time(tmp_path):
    net = torch.nn.Linear(2, 1)
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    with TrainingRun(tmp_path, net=net, opt=opt) as run:
        assert run.step == 0 and not run.resumed
        run.step = 7
        run.record(loss=0.5)
        run.save(batch=4)
    saved_wall = torch.load(tmp_path / "ckpt.pt", weights_only=False)["wall"]
    weights = net.weight.detach().clone()
    torch.nn.init.zeros_(net.weight)  # a fresh process would start from new weights
    said = []
    with TrainingRun(tmp_path, log=said.append, net=net, opt=opt) as again:
        assert again.resumed and again.step == 7 and again.wall >= saved_wall > 0
        assert torch.equal(net.weight, weights) and said and "step 7" in said[0]
        again.step = 9
        again.record(loss=0.25)
    lines = [json.loads(x) for x in (tmp_path / "log.jsonl").read_text().splitlines()]
    assert [(r["step"], r["loss"]) for r in lines] == [(7, 0.5), (9, 0.25)]
    assert torch.load(tmp_path / "ckpt.pt", weights_only=False)["batch"] == 4


def test_kl_and_ema():
    mu, logvar = torch.zeros(3, 2), torch.zeros(3, 2)
    assert torch.equal(gaussian_kl(mu, logvar), torch.zeros(3, 2))  # N(0, 1) against itself
    assert gaussian_kl(torch.ones(1, 1), torch.zeros(1, 1)).item() == 0.5
    a, b = torch.nn.Linear(1, 1, bias=False), torch.nn.Linear(1, 1, bias=False)
    torch.nn.init.zeros_(a.weight)
    torch.nn.init.ones_(b.weight)
    ema_update(a, b, decay=0.9)
    assert abs(a.weight.item() - 0.1) < 1e-6
