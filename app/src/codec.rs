//! How server functions' answers cross the wire: JSON, read in the browser from text.
//!
//! Server functions answer in JSON, as they would by default; this encoding only changes how
//! the browser reads it: as a `&str`, the way Leptos reads an island's props, instead of as
//! bytes. `serde_json` compiles one reader per input kind for every type it reads, so a type
//! that arrives both as props and in an answer (a draft, a product row, a rule violation)
//! was in the WASM twice.

use serde::{de::DeserializeOwned, Serialize};
use server_fn::codec::Post;
use server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};

/// JSON, decoded from text.
pub struct TextJsonEncoding;

impl ContentType for TextJsonEncoding {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for TextJsonEncoding {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for TextJsonEncoding {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(output).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for TextJsonEncoding {
    type Error = serde_json::Error;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(<serde_json::Error as serde::de::Error>::custom)?;
        serde_json::from_str(text)
    }
}

/// The answer of every server function (`#[server(client = crate::page_account::PageAccountClient, output = crate::codec::TextJson)]`).
pub type TextJson = Post<TextJsonEncoding>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_reads_back_as_it_was_written_and_bad_text_is_an_error() {
        let written = <TextJsonEncoding as Encodes<Vec<String>>>::encode(&vec!["a\"b".to_owned(), "é".to_owned()]).unwrap();
        let read: Vec<String> = <TextJsonEncoding as Decodes<Vec<String>>>::decode(written).unwrap();
        assert_eq!(read, ["a\"b", "é"]);
        assert!(<TextJsonEncoding as Decodes<Vec<String>>>::decode(Bytes::from_static(b"[\"\xff\"]")).is_err());
    }
}
