"""One self-contained HTML page (no network: data, script and style inline) with an alpha slider.

The curves are not re-implemented in JavaScript: ELU's values and derivatives are computed by the
kernels on a grid of alpha here and embedded; the script only picks the row for the slider's
position. The polylines carry their points in data units (an SVG transform maps them to pixels),
so what is drawn can be read back and compared with the kernels. The readout is the closed-form
mean, variance and mean derivative under N(0, sigma^2) from ``elunumba.stats``.
"""

import json
import string

import numpy as np

from ... import stats
from ..files import atomic_output
from . import curves

DEFAULT_ALPHAS = np.round(np.arange(1, 61) * 0.05, 2)  # 0.05 .. 3.00
PANEL_WIDTH, PANEL_HEIGHT, MARGIN = 460, 320, 40
X_RANGE = (-3.0, 3.0)
VALUE_RANGE = (-3.2, 3.2)
SLOPE_RANGE = (-0.1, 3.1)
# six significant digits: the page stays near 300 kB and the drawn values within 5e-6 relative
DIGITS = 6


def _rounded(values):
    return [float(f"{v:.{DIGITS}g}") for v in np.asarray(values, dtype=np.float64)]


def page_data(alphas=DEFAULT_ALPHAS, sigma=1.0, slope=curves.DEFAULT_SLOPE, step=0.025):
    """Everything the page shows, as plain lists: the x grid, ELU's y and y' per alpha, ReLU and
    LeakyReLU for reference, and the closed-form statistics per alpha under N(0, sigma^2)."""
    alphas = [float(a) for a in alphas]
    x = curves.grid(*X_RANGE, step)
    found = curves.curves(x, alphas, slope)
    elu = [found[f"ELU(alpha={alpha:g})"] for alpha in alphas]
    moments = [stats.elu_moments(0.0, sigma, alpha) for alpha in alphas]
    references = {label: {"y": _rounded(c["y"]), "yp": _rounded(c["yp"])}
                  for label, c in found.items() if not label.startswith("ELU")}
    return {
        "sigma": sigma, "alphas": alphas, "x": _rounded(x),
        "y": [_rounded(c["y"]) for c in elu], "yp": [_rounded(c["yp"]) for c in elu],
        "references": references,
        "mean": [float(m.mean) for m in moments],
        "variance": [float(m.variance) for m in moments],
        "mean_grad": [float(m.mean_grad) for m in moments],
        "zero_mean_alpha": float(stats.zero_mean_alpha(0.0, sigma)),
    }


def _transform(y_range):
    """SVG transform mapping data (x, y) to the panel's pixels, y pointing up."""
    width, height = PANEL_WIDTH - 2 * MARGIN, PANEL_HEIGHT - 2 * MARGIN
    sx = width / (X_RANGE[1] - X_RANGE[0])
    sy = height / (y_range[1] - y_range[0])
    return (f"translate({MARGIN} {MARGIN + height}) scale({sx:.6g} {-sy:.6g}) "
            f"translate({-X_RANGE[0]:g} {-y_range[0]:g})")


def _axes(y_range, y_ticks):
    """Static grid lines and tick labels for one panel, in pixels."""
    width, height = PANEL_WIDTH - 2 * MARGIN, PANEL_HEIGHT - 2 * MARGIN

    def px(x):
        return MARGIN + (x - X_RANGE[0]) / (X_RANGE[1] - X_RANGE[0]) * width

    def py(y):
        return MARGIN + height - (y - y_range[0]) / (y_range[1] - y_range[0]) * height
    parts = [f'<rect x="{MARGIN}" y="{MARGIN}" width="{width}" height="{height}" class="frame"/>']
    for x in range(-3, 4):
        parts.append(f'<line x1="{px(x):.1f}" x2="{px(x):.1f}" y1="{MARGIN}" '
                     f'y2="{MARGIN + height}" class="{"axis" if x == 0 else "grid"}"/>'
                     f'<text x="{px(x):.1f}" y="{MARGIN + height + 16}" class="tick">{x}</text>')
    for y in y_ticks:
        parts.append(f'<line x1="{MARGIN}" x2="{MARGIN + width}" y1="{py(y):.1f}" '
                     f'y2="{py(y):.1f}" class="{"axis" if y == 0 else "grid"}"/>'
                     f'<text x="{MARGIN - 6}" y="{py(y) + 4:.1f}" class="tick ytick">{y:g}</text>')
    return "\n".join(parts)


def _panel(name, title, y_range, y_ticks, labels):
    references = "\n".join(
        f'<polyline id="{name}-ref{i}" class="curve ref ref{i}" data-label="{label}"/>'
        for i, label in enumerate(labels))
    return f"""<svg id="{name}" viewBox="0 0 {PANEL_WIDTH} {PANEL_HEIGHT}" role="img"
     aria-label="{title}">
  <text x="{PANEL_WIDTH / 2}" y="22" class="title">{title}</text>
  {_axes(y_range, y_ticks)}
  <g transform="{_transform(y_range)}">
    {references}
    <polyline id="{name}-elu" class="curve elu"/>
  </g>
</svg>"""


_TEMPLATE = string.Template("""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>ELU: alpha slider (elunumba)</title>
<style>
body { font-family: sans-serif; margin: 24px; color: #222; }
.panels { display: flex; gap: 16px; flex-wrap: wrap; }
svg { width: ${width}px; height: ${height}px; border: 1px solid #ddd; background: #fff; }
.frame { fill: none; stroke: #999; }
.grid { stroke: #eee; } .axis { stroke: #888; }
.tick { font-size: 11px; text-anchor: middle; fill: #555; } .ytick { text-anchor: end; }
.title { font-size: 14px; text-anchor: middle; font-weight: bold; }
.curve { fill: none; vector-effect: non-scaling-stroke; stroke-width: 1.5; }
.elu { stroke: #d62728; stroke-width: 3; }
.ref0 { stroke: #1f77b4; stroke-dasharray: 6 4; } .ref1 { stroke: #2ca02c; stroke-dasharray: 2 3; }
.legend span { margin-right: 18px; } .swatch { display: inline-block; width: 24px; height: 3px;
  vertical-align: middle; margin-right: 4px; }
table { border-collapse: collapse; margin-top: 12px; }
td, th { padding: 4px 12px; border-bottom: 1px solid #ddd; text-align: right; }
th { text-align: left; }
</style>
</head>
<body>
<h1>ELU(x) = x for x &gt; 0, &alpha;&middot;(e<sup>x</sup> &minus; 1) otherwise</h1>
<p><label for="alpha">&alpha; = <output id="alpha-value"></output></label>
<input id="alpha" type="range" min="0" max="${last}" step="1" value="${start}" style="width: 360px">
</p>
<p class="legend"><span><i class="swatch" style="background:#d62728"></i>ELU(&alpha;)</span>
<span><i class="swatch" style="background:#1f77b4"></i>${ref0}</span>
<span><i class="swatch" style="background:#2ca02c"></i>${ref1}</span></p>
<div class="panels">
${values}
${slopes}
</div>
<table>
<tr><th>for X ~ N(0, ${sigma}&sup2;), closed form</th><th>ELU(&alpha;)</th></tr>
<tr><th>E[f(X)]</th><td id="mean"></td></tr>
<tr><th>Var[f(X)]</th><td id="variance"></td></tr>
<tr><th>E[f&prime;(X)]</th><td id="mean-grad"></td></tr>
<tr><th>&alpha; with E[f(X)] = 0</th><td>${zero_mean_alpha}</td></tr>
</table>
<p>Curves computed by elunumba.elu_value_and_grad on a grid of &alpha; and embedded in this
page; statistics from elunumba.stats. Nothing is fetched from the network.</p>
<script id="data" type="application/json">${data}</script>
<script>
"use strict";
const data = JSON.parse(document.getElementById("data").textContent);
function points(ys) {
  return data.x.map((x, i) => x + "," + ys[i]).join(" ");
}
const labels = Object.keys(data.references);
labels.forEach((label, i) => {
  const curve = data.references[label];
  document.getElementById("values-ref" + i).setAttribute("points", points(curve.y));
  document.getElementById("slopes-ref" + i).setAttribute("points", points(curve.yp));
});
const slider = document.getElementById("alpha");
function show() {
  const row = Number(slider.value);
  document.getElementById("alpha-value").textContent = data.alphas[row];
  document.getElementById("values-elu").setAttribute("points", points(data.y[row]));
  document.getElementById("slopes-elu").setAttribute("points", points(data.yp[row]));
  document.getElementById("mean").textContent = data.mean[row].toPrecision(6);
  document.getElementById("variance").textContent = data.variance[row].toPrecision(6);
  document.getElementById("mean-grad").textContent = data.mean_grad[row].toPrecision(6);
}
slider.addEventListener("input", show);
show();
</script>
</body>
</html>
""")


def render(data):
    """The page's HTML text for ``page_data(...)``."""
    labels = list(data["references"])
    alphas = data["alphas"]
    start = min(range(len(alphas)), key=lambda i: abs(alphas[i] - 1.0))
    # "</" inside a script element would end it early; JSON may escape the slash
    embedded = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    return _TEMPLATE.substitute(
        width=PANEL_WIDTH, height=PANEL_HEIGHT, last=len(alphas) - 1, start=start,
        ref0=labels[0], ref1=labels[1], sigma=f"{data['sigma']:g}",
        zero_mean_alpha=f"{data['zero_mean_alpha']:.6g}",
        values=_panel("values", "f(x)", VALUE_RANGE, (-3, -2, -1, 0, 1, 2, 3), labels),
        slopes=_panel("slopes", "f'(x) from the fused kernel", SLOPE_RANGE, (0, 1, 2, 3), labels),
        data=embedded)


def write(path, data):
    with atomic_output(path, encoding="utf-8") as file:
        file.write(render(data))
