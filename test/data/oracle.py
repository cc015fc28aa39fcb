# torchvision 0.14 / PIL oracle for test/data/transforms.test.ts. Reads a JSON task list on stdin, writes JSON results.
import base64, json, sys, types
import numpy as np
import torch
from PIL import Image
import torchvision.transforms as T
import torchvision.transforms.functional as F
import torchvision.transforms.transforms as TT

def pil(task):
    a = np.frombuffer(base64.b64decode(task['data']), dtype=np.uint8).reshape(task['h'], task['w'], task['c'])
    return Image.fromarray(a[:, :, 0] if task['c'] == 1 else a, 'L' if task['c'] == 1 else 'RGB')

def out(img):
    a = np.asarray(img)
    return {'h': a.shape[0], 'w': a.shape[1], 'data': base64.b64encode(a.tobytes()).decode()}

INTERP = {'bilinear': T.InterpolationMode.BILINEAR, 'bicubic': T.InterpolationMode.BICUBIC}

# Record every random draw RandomResizedCrop.get_params makes (it calls torch.empty(1).uniform_ and torch.randint).
draws = []
class Rec:
    def __init__(self, t): self.t = t
    def uniform_(self, a, b):
        v = self.t.uniform_(a, b)
        draws.append(['u', v.item()])
        return v
proxy = types.SimpleNamespace(**{k: getattr(torch, k) for k in ['log', 'tensor', 'exp']})
proxy.empty = lambda *a, **k: Rec(torch.empty(*a, **k))
def randint(lo, hi, size):
    v = torch.randint(lo, hi, size)
    draws.append(['i', v.item(), hi])
    return v
proxy.randint = randint
TT.torch = proxy

res = []
for task in json.load(sys.stdin):
    k = task['kind']
    if k == 'resize':
        img = F.resize(pil(task), task['size'], INTERP[task['interp']])
        res.append(out(img))
    elif k == 'resize_f':
        a = np.frombuffer(base64.b64decode(task['data']), dtype='<f4').reshape(task['h'], task['w'])
        img = Image.fromarray(a.copy(), 'F').resize((task['ow'], task['oh']), Image.Resampling.BILINEAR if task['interp'] == 'bilinear' else Image.Resampling.BICUBIC)
        res.append({'data': base64.b64encode(np.asarray(img, dtype='<f4').tobytes()).decode()})
    elif k == 'resized_crop':
        b = task['box']
        res.append(out(F.resized_crop(pil(task), b[0], b[1], b[2], b[3], [task['size'], task['size']], INTERP[task['interp']])))
    elif k == 'center_crop':
        res.append(out(F.center_crop(pil(task), task['size'])))
    elif k == 'rrc_box':
        torch.manual_seed(task['seed'])
        draws.clear()
        img = Image.new('L', (task['w'], task['h']))
        box = T.RandomResizedCrop.get_params(img, task['scale'], task['ratio'])
        res.append({'box': list(box), 'draws': list(draws)})
    elif k == 'normalize':
        t = F.normalize(F.to_tensor(pil(task)), task['mean'], task['std'])
        res.append({'data': base64.b64encode(t.permute(1, 2, 0).contiguous().numpy().astype('<f4').tobytes()).decode()})
json.dump(res, sys.stdout)
