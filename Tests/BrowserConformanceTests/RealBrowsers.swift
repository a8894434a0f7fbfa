import Testing

/// Every suite that drives a real browser, one at a time: two cores cannot run Chromium, Firefox and WebKit side by
/// side and keep Chromium's virtual-time budget (`--dump-dom`) from running out before its pages finish.
@Suite(.serialized) enum RealBrowsers {}
