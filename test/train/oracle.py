# PyTorch oracle for test/train: reads a JSON request on stdin, writes a JSON answer on stdout.
#  sgd:  torch.optim.SGD with two param groups (decay / no decay)
#  lamb: timm 0.9.2 Lamb's step (transcribed; timm is not installed here), on torch tensors
#  losses: F.cross_entropy(label_smoothing), soft-target CE, F.binary_cross_entropy_with_logits
#  safetensors: parses a file with struct + json (independent reader) and returns sums per tensor
import json, math, struct, sys
import torch
import torch.nn.functional as F

req = json.load(sys.stdin)
op = req["op"]


def params_from(req):
    ps = {}
    for name, p in req["params"].items():
        ps[name] = torch.tensor(p["data"], dtype=torch.float32).reshape(p["shape"]).requires_grad_(True)
    return ps


def run_steps(ps, opt, req, before=None):
    out = []
    for step_grads in req["grads"]:
        opt.zero_grad()
        for name, g in step_grads.items():
            ps[name].grad = torch.tensor(g, dtype=torch.float32).reshape(ps[name].shape)
        if before:
            before(opt)
        opt.step()
        out.append({k: v.detach().reshape(-1).tolist() for k, v in ps.items()})
    return out


class Lamb(torch.optim.Optimizer):
    def __init__(self, params, lr, betas, eps, weight_decay, max_grad_norm, trust_clip=False, always_adapt=False):
        super().__init__(params, dict(lr=lr, bias_correction=True, betas=betas, eps=eps, weight_decay=weight_decay,
                                      grad_averaging=True, max_grad_norm=max_grad_norm, trust_clip=trust_clip,
                                      always_adapt=always_adapt))

    @torch.no_grad()
    def step(self):
        one = torch.tensor(1.0)
        gnorm = torch.zeros(1)
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    gnorm.add_(p.grad.pow(2).sum())
        gnorm = torch.sqrt(gnorm)
        mx = self.defaults["max_grad_norm"]
        clip = one if mx is None else torch.where(gnorm > mx, gnorm / mx, one)
        for group in self.param_groups:
            b1, b2 = group["betas"]
            group["step"] = group.get("step", 0) + 1
            bc1 = 1 - b1 ** group["step"]
            bc2 = 1 - b2 ** group["step"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = p.grad.div_(clip)
                st = self.state[p]
                if len(st) == 0:
                    st["exp_avg"] = torch.zeros_like(p)
                    st["exp_avg_sq"] = torch.zeros_like(p)
                m, v = st["exp_avg"], st["exp_avg_sq"]
                m.mul_(b1).add_(grad, alpha=1 - b1)
                v.mul_(b2).addcmul_(grad, grad, value=1 - b2)
                denom = (v.sqrt() / math.sqrt(bc2)).add_(group["eps"])
                update = (m / bc1).div_(denom)
                wd = group["weight_decay"]
                if wd != 0:
                    update.add_(p, alpha=wd)
                if wd != 0 or group["always_adapt"]:
                    wn = p.norm(2.0)
                    un = update.norm(2.0)
                    tr = torch.where(wn > 0, torch.where(un > 0, wn / un, one), one)
                    if group["trust_clip"]:
                        tr = torch.minimum(tr, one)
                    update.mul_(tr)
                p.add_(update, alpha=-group["lr"])


if op in ("sgd", "lamb"):
    ps = params_from(req)
    c = req["config"]
    decay = [ps[n] for n in req["decay"]]
    nodecay = [ps[n] for n in ps if n not in req["decay"]]
    groups = [dict(params=decay, weight_decay=c["weightDecay"]), dict(params=nodecay, weight_decay=0.0)]
    if op == "sgd":
        opt = torch.optim.SGD(groups, lr=c["lr"], momentum=c["momentum"], nesterov=c["nesterov"], dampening=c.get("dampening", 0))
    else:
        opt = Lamb(groups, lr=c["lr"], betas=tuple(c["betas"]), eps=c["eps"], weight_decay=0.0, max_grad_norm=c["maxGradNorm"])
    lrs = iter(req["lrs"])

    def set_lr(o):
        lr = next(lrs)
        for g in o.param_groups:
            g["lr"] = lr

    print(json.dumps(run_steps(ps, opt, req, set_lr)))
elif op == "losses":
    x = torch.tensor(req["logits"], dtype=torch.float32)
    y = torch.tensor(req["labels"], dtype=torch.long)
    t = torch.tensor(req["soft"], dtype=torch.float32)
    out = {
        "ce": F.cross_entropy(x, y).item(),
        "ce_ls": F.cross_entropy(x, y, label_smoothing=req["eps"]).item(),
        "soft": torch.sum(-t * F.log_softmax(x, dim=-1), dim=-1).mean().item(),
        "bce": F.binary_cross_entropy_with_logits(x, t).item(),
    }
    print(json.dumps(out))
elif op == "safetensors":
    with open(req["path"], "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__", {})
    out = {}
    for name, info in header.items():
        b, e = info["data_offsets"]
        dt = {"F32": torch.float32, "I32": torch.int32}[info["dtype"]]
        t = torch.frombuffer(bytearray(raw[8 + n + b:8 + n + e]), dtype=dt).reshape(info["shape"]) if e > b else torch.zeros(info["shape"], dtype=dt)
        out[name] = {"shape": list(t.shape), "sum": float(t.double().sum())}
    print(json.dumps({"tensors": out, "metadata": meta}))
else:
    raise SystemExit(f"unknown op {op}")
