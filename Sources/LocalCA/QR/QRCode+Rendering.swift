extension QRCode {
    /// The code drawn with Unicode half blocks (`▀ ▄ █`), two module rows a
    /// text line, with a light margin of `quietZone` modules.
    ///
    /// Terminals usually draw light text on a dark background, so by default
    /// the *light* modules are the ones drawn (as `qrencode -t UTF8` does);
    /// pass `darkOnLight: true` for a terminal with a light background.
    public func halfBlockText(quietZone: Int = 2, darkOnLight: Bool = false) -> String {
        let span = size + quietZone * 2
        func inked(_ x: Int, _ y: Int) -> Bool {
            let dark = x >= 0 && x < size && y >= 0 && y < size && modules[y][x]
            return darkOnLight ? dark : !dark
        }
        var lines: [String] = []
        var y = -quietZone
        while y < span - quietZone {
            var line = ""
            for x in -quietZone..<(span - quietZone) {
                switch (inked(x, y), y + 1 < span - quietZone ? inked(x, y + 1) : !darkOnLight) {
                case (true, true): line += "█"
                case (true, false): line += "▀"
                case (false, true): line += "▄"
                case (false, false): line += " "
                }
            }
            lines.append(line)
            y += 2
        }
        return lines.joined(separator: "\n")
    }

    /// The code as a binary PGM image (`P5`), `scale` pixels a module, with a
    /// four-module light margin: a file any image decoder reads.
    public func pgm(scale: Int = 4) -> [UInt8] {
        let margin = 4
        let width = (size + margin * 2) * scale
        var pixels = [UInt8](repeating: 255, count: width * width)
        for y in 0..<size {
            for x in 0..<size where modules[y][x] {
                for dy in 0..<scale {
                    let row = ((y + margin) * scale + dy) * width
                    for dx in 0..<scale { pixels[row + (x + margin) * scale + dx] = 0 }
                }
            }
        }
        return Array("P5\n\(width) \(width)\n255\n".utf8) + pixels
    }

    /// The code as a standalone SVG image (dark modules as one path, a
    /// four-module margin), for embedding in an HTML page such as `/ca`.
    public func svg(moduleSize: Int = 8) -> String {
        let span = size + 8
        var path = ""
        for y in 0..<size {
            for x in 0..<size where modules[y][x] { path += "M\(x + 4),\(y + 4)h1v1h-1z" }
        }
        return """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(span) \(span)" width="\(span * moduleSize)" height="\(span * moduleSize)" shape-rendering="crispEdges">\
        <rect width="100%" height="100%" fill="#fff"/><path fill="#000" d="\(path)"/></svg>
        """
    }
}
