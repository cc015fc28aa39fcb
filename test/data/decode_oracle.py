# Pillow oracle for test/data/decode.test.ts: for every file of DIR/manifest.json (scripts/fixtures/make_image_fixtures.py
# decode DIR) writes DIR/<file>.rgb, the bytes of Image.open(f).convert('RGB') (what torchvision's loader returns),
# and prints [{file, what, h, w}] as JSON.
import json, os, sys, warnings
from PIL import Image

warnings.simplefilter('ignore')  # Pillow warns about palette images with transparency bytes
d = sys.argv[1]
out = []
for m in json.load(open(os.path.join(d, 'manifest.json'))):
    img = Image.open(os.path.join(d, m['file'])).convert('RGB')
    with open(os.path.join(d, m['file'] + '.rgb'), 'wb') as f:
        f.write(img.tobytes())
    out.append({**m, 'h': img.height, 'w': img.width})
print(json.dumps(out))
