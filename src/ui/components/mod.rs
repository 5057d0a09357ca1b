//! One component per file, named for what it shows.

pub mod agreement_badge;
pub mod attention_canvas;
pub mod attention_grid;
pub mod digit_canvas;
pub mod forecast_plot;
pub mod head_stats_table;
pub mod head_view;
pub mod heatmap;
pub mod history_list;
pub mod model_grid;
pub mod model_status;
pub mod movie_search;
pub mod patch_attention;
pub mod prediction;
pub mod qk_breakdown;
pub mod recommendation_list;
pub mod series_overview;
pub mod step_navigator;
pub mod step_view;
pub mod token_strip;
pub mod top_candidates;
pub mod what_if;

pub use agreement_badge::AgreementBadge;
pub use attention_grid::{AttentionGrid, GridHover};
pub use heatmap::{ColorScale, Heatmap, MatrixTools};
pub use model_status::ModelStatusBar;
pub use prediction::Prediction;
pub use qk_breakdown::QkBreakdown;
pub use step_navigator::StepNavigator;
pub use step_view::StepView;
pub use token_strip::TokenStrip;
pub use top_candidates::TopCandidates;
pub use what_if::{LayerAnalysis, WhatIfPanel, WhatIfSource};
