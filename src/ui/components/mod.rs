//! One component per file, named for what it shows.

pub mod agreement_badge;
pub mod attention_canvas;
pub mod explain;
pub mod head_stats_table;
pub mod head_view;
pub mod heatmap;
pub mod model_grid;
pub mod model_status;
pub mod prediction;
pub mod qk_breakdown;
pub mod scroll_box;
pub mod share;
pub mod step_navigator;
pub mod step_view;
pub mod token_strip;
pub mod what_if;

pub use agreement_badge::AgreementBadge;
pub use explain::{ExplainPanel, Explainable};
pub use heatmap::{ColorScale, Heatmap, MatrixTools};
pub use model_status::ModelStatusBar;
pub use prediction::Prediction;
pub use qk_breakdown::QkBreakdown;
pub use scroll_box::scroll_box;
pub use share::{EmbedLink, ShareButton};
pub use step_navigator::StepNavigator;
pub use step_view::StepView;
pub use token_strip::TokenStrip;
pub use what_if::{LayerAnalysis, WhatIfPanel, WhatIfSource};
