//! The walkthrough model as the page runs it, without a page: the worker's generic graph path
//! (`GraphRunner`: load, encode, run) and the walkthrough's pure checks and record builder, in
//! the same order as `demos/walkthrough/view` calls them through the worker.

use attention_playground::demos::walkthrough::{
    batch_input, input_specs, sentence_inputs, Layout, INPUTS,
};
use attention_playground::graph::GraphRunner;
use attention_playground::maths::ModelRecord;
use attention_playground::protocol::{Encoded, GraphSummary, ModelError, Tensor};

pub struct Session {
    pub graph: GraphRunner,
    pub layout: Layout,
}

impl Session {
    /// Load → check the names → probe run → layout, as the page does when the model arrives.
    pub fn load(onnx: &[u8], tokenizer: &[u8]) -> Result<Self, ModelError> {
        let graph = GraphRunner::load(onnx, Some(tokenizer), &input_specs())?;
        let summary = GraphSummary {
            key: "langid".into(),
            inputs: graph.input_names(),
            outputs: graph.output_names().to_vec(),
            max_len: graph.text_encoder().and_then(|e| e.max_len()),
        };
        Layout::check_names(&summary)?;
        let probe = graph.run(Layout::probe_inputs(), Some(&Layout::probe_outputs()))?;
        let layout = Layout::from_probe(&summary, &probe)?;
        Ok(Self { graph, layout })
    }

    pub fn encode(&self, text: &str) -> Result<Encoded, ModelError> {
        self.graph.encode(text)
    }

    /// Encode → run → record, as the page does for each edit.
    pub fn run(&self, text: &str) -> Result<ModelRecord, ModelError> {
        let encoded = self.graph.encode(text)?;
        let out = self.graph.run(sentence_inputs(&encoded), None)?;
        self.layout.record(encoded, &out)
    }

    /// A (possibly padded) batch; every output by name.
    pub fn run_batch(
        &self,
        ids: &[Vec<i64>],
        attention_mask: &[Vec<i64>],
    ) -> Result<Vec<Tensor>, ModelError> {
        let inputs = vec![
            batch_input(INPUTS[0], ids)?,
            batch_input(INPUTS[1], attention_mask)?,
        ];
        self.graph.run(inputs, None)
    }
}
