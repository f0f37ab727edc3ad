"""One colour for each thing, everywhere: departments, load bands, plan vs actual, status; the
chart layout; the projector's larger type."""
import plotly.graph_objects as go

DEPARTMENT = {
    "sales": "#1f77b4", "pmc": "#ff7f0e", "purchasing": "#2ca02c",
    "quality": "#d62728", "engineering": "#9467bd",
}
LOAD_BAND = {"ok": "#2e9e5b", "tight": "#f2c94c", "risk": "#f2994a", "over": "#d64545", "none": "#e0e0e0"}
RAG = {"green": "#2e9e5b", "amber": "#e6a23c", "red": "#d64545", "none": "#9e9e9e"}
PLAN = "#9fb8d6"
ACTUAL = "#1f4e89"
GAP = "#d64545"
CUMULATIVE = "#444444"
CAUSE = {"man": "#4e79a7", "machine": "#f28e2b", "material": "#e15759", "method": "#76b7b2",
         "environment": "#59a14f", "measurement": "#edc948"}
# large type for a projector: chart fonts and margins
FONT_SIZE = 18
TITLE_SIZE = 22
FONT_FAMILY = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, sans-serif"


def layout(fig, *, title: str | None = None, x_title: str | None = None, y_title: str | None = None,
           height: int = 420):
    """Apply Tandem's projector layout to a plotly figure and return it."""
    fig.update_layout(
        title=dict(text=title, font=dict(size=TITLE_SIZE)) if title else None,
        font=dict(size=FONT_SIZE, family=FONT_FAMILY), height=height,
        margin=dict(l=10, r=10, t=60 if title else 20, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="right", x=1),
        plot_bgcolor="white", paper_bgcolor="white",
    )
    fig.update_xaxes(title_text=x_title, showgrid=False)
    fig.update_yaxes(title_text=y_title, gridcolor="#eeeeee")
    return fig


# ------------------------------------------------------------------ projector
def projector(fig: go.Figure, *, height: int | None = None, font: int = 22) -> go.Figure:
    """A copy of `fig` with larger type (and optionally another height) for the projector."""
    big = go.Figure(fig)
    big.update_layout(font=dict(size=font), legend=dict(font=dict(size=font - 2)))
    big.update_annotations(font_size=font - 2)
    # drawn without Streamlit's chart theme, which is what otherwise makes room for tick labels
    big.update_xaxes(automargin=True)
    big.update_yaxes(automargin=True)
    if height:
        big.update_layout(height=height)
    return big
