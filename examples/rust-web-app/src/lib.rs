//! A page written in Rust that uses `functiongraph-client` directly: it invokes a function
//! with the name typed into a form, starts two async invocations, waits for them, and lists
//! the function's async invocations in a table (every page, through the crate's `Pager`).
//! The page's only JavaScript is the two lines of `index.html` that load the wasm.
//!
//! The endpoint comes from the page URL (`?emulator=http://127.0.0.1:8787`), and the
//! credentials are the local emulator's documented dev identity.

use functiongraph_client::protocol::ListAsyncQuery;
use functiongraph_client::{
    CallOptions, Client, Credentials, Error, InvokeAsyncOptions, InvokeOptions, WaitOptions,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;
use web_sys::{Document, HtmlInputElement};

/// The emulator's default project (its documented dev identity, not a secret).
const PROJECT: &str = "0123456789abcdef0123456789abcdef";

fn urn(name: &str) -> String {
    format!("urn:fss:cn-north-4:{PROJECT}:function:default:{name}:latest")
}

fn document() -> Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a page with a document")
}

/// Sets the text of the element with this id.
fn show(id: &str, text: &str) {
    if let Some(el) = document().get_element_by_id(id) {
        el.set_text_content(Some(text));
    }
}

/// The client for the endpoint in `?emulator=`.
fn client() -> Result<Client, Error> {
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let endpoint = web_sys::UrlSearchParams::new_with_str(&search)
        .ok()
        .and_then(|p| p.get("emulator"))
        .unwrap_or_else(|| "http://127.0.0.1:8787".to_owned());
    Client::builder(PROJECT)
        .endpoint(endpoint)
        .credentials(Credentials::Token("dev-token".into()))
        .build()
}

/// Invokes `hello` with the name in the form and shows what it answered.
async fn invoke(client: &Client) -> Result<(), Error> {
    let name: HtmlInputElement = document()
        .get_element_by_id("name")
        .and_then(|el| el.dyn_into().ok())
        .expect("the name field");
    let event = js_sys::JSON::stringify(
        &js_sys::Object::from_entries(&js_sys::Array::of1(&js_sys::Array::of2(
            &"name".into(),
            &name.value().into(),
        )))
        .expect("an object"),
    )
    .map(String::from)
    .unwrap_or_else(|_| "{}".into());
    let out = client
        .invoke(&urn("hello"), event, &InvokeOptions::default())
        .await?;
    show("result", &String::from(&out.result));
    show("request-id", &out.request_id);
    Ok(())
}

/// Starts two async invocations, waits for both, and lists every async invocation of `echo`.
async fn list(client: &Client) -> Result<(), Error> {
    for i in 0..2 {
        let accepted = client
            .invoke_async(
                &urn("echo"),
                format!(r#"{{"from":"rust page","i":{i}}}"#),
                &InvokeAsyncOptions::default(),
            )
            .await?;
        client
            .wait_for_async_invocation(&urn("echo"), &accepted.request_id, &WaitOptions::default())
            .await?;
    }
    let doc = document();
    let body = doc
        .get_element_by_id("invocations")
        .expect("the table body");
    body.set_inner_html("");
    let mut pager = client.async_invocations(
        &urn("echo"),
        ListAsyncQuery::default(),
        CallOptions::default(),
    );
    let mut rows = 0;
    while let Some(record) = pager.next().await? {
        let row = doc.create_element("tr").expect("a row");
        for text in [
            record.request_id.as_str(),
            record.status.as_str(),
            record.end_time.as_str(),
        ] {
            let cell = doc.create_element("td").expect("a cell");
            cell.set_text_content(Some(text));
            row.append_child(&cell).expect("appended");
        }
        body.append_child(&row).expect("appended");
        rows += 1;
    }
    show("count", &rows.to_string());
    Ok(())
}

/// Runs `step`, showing its error (typed: the variant's message) in the status line.
fn run(label: &'static str, step: impl std::future::Future<Output = Result<(), Error>> + 'static) {
    show("status", &format!("{label}…"));
    spawn_local(async move {
        match step.await {
            Ok(()) => show("status", &format!("{label}: done")),
            Err(e) => show("status", &format!("{label} failed: {e}")),
        }
    });
}

/// Wires the buttons; called by the wasm-bindgen glue when the module starts.
#[wasm_bindgen(start)]
pub fn start() -> Result<(), JsValue> {
    let client = client().map_err(|e| JsValue::from_str(&e.to_string()))?;
    for (id, action) in [("invoke", 0), ("list", 1)] {
        let client = client.clone();
        let handler = Closure::<dyn FnMut()>::new(move || {
            let client = client.clone();
            match action {
                0 => run("invoke", async move { invoke(&client).await }),
                _ => run("list", async move { list(&client).await }),
            }
        });
        document()
            .get_element_by_id(id)
            .expect("the button")
            .add_event_listener_with_callback("click", handler.as_ref().unchecked_ref())?;
        handler.forget(); // the page's buttons live as long as the page
    }
    show("status", "ready");
    Ok(())
}
