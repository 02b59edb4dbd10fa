//! A push address as a QR code, for pushing from a phone (an encoder app scans it). The PNG is greyscale,
//! black modules on white with the standard 4-module quiet zone, at least [`MIN_SIZE`] pixels square so
//! a camera across a desk reads it. The image carries the secret in the URL: treat the file like the key.

use image::codecs::png::PngEncoder;
use image::{ImageEncoder, Luma};
use qrcode::{EcLevel, QrCode};

use crate::Error;

/// The smallest side of the PNG, in pixels.
pub const MIN_SIZE: u32 = 320;

/// Encodes `text` (a push URL) as a QR code PNG, error correction level M.
pub fn qr_png(text: &str) -> Result<Vec<u8>, Error> {
    let code =
        QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).map_err(|e| Error::Qr(e.to_string()))?;
    let img = code.render::<Luma<u8>>().min_dimensions(MIN_SIZE, MIN_SIZE).quiet_zone(true).build();
    let mut png = Vec::new();
    PngEncoder::new(&mut png)
        .write_image(img.as_raw(), img.width(), img.height(), image::ExtendedColorType::L8)
        .map_err(|e| Error::Qr(e.to_string()))?;
    Ok(png)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes a PNG with an independent reader (rqrr), as a phone would.
    fn decode(png: &[u8]) -> String {
        let img = image::load_from_memory_with_format(png, image::ImageFormat::Png).expect("a PNG").to_luma8();
        assert!(img.width() >= MIN_SIZE && img.height() >= MIN_SIZE, "{}x{}", img.width(), img.height());
        let mut prepared =
            rqrr::PreparedImage::prepare_from_greyscale(img.width() as usize, img.height() as usize, |x, y| {
                img.get_pixel(x as u32, y as u32)[0]
            });
        let grids = prepared.detect_grids();
        assert_eq!(grids.len(), 1, "exactly one QR code in the image");
        grids[0].decode().expect("the code decodes").1
    }

    #[test]
    fn the_png_decodes_back_to_the_push_url() {
        let url = "rtmp://livepush.tcloud.com/live/test?txSecret=f85a2ab363fe4deaffef9754d79da6fe&txTime=5C271099";
        let png = qr_png(url).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG signature");
        assert_eq!(decode(&png), url);
    }

    #[test]
    fn the_longest_srt_address_still_fits_and_decodes() {
        let name = "a".repeat(128);
        let url = format!(
            "srt://livepush.example.com:9000?streamid=#!::h=livepush.example.com,r=live/{name},\
             txSecret=f85a2ab363fe4deaffef9754d79da6fe,txTime=5C271099"
        );
        assert_eq!(decode(&qr_png(&url).unwrap()), url);
    }

    #[test]
    fn text_too_long_for_a_qr_code_is_an_error_not_a_panic() {
        let e = qr_png(&"x".repeat(5000)).unwrap_err();
        assert!(e.to_string().contains("QR code"), "{e}");
    }
}
