<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>Advisor</name>
    <message>
        <location filename="../src/core/advisor/advisor.cpp" line="+136"/>
        <source>%1 GiB</source>
        <translation>%1 GiB</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 MiB</source>
        <translation>%1 MiB</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>Too many I/O tokens for this device</source>
        <translation>Zu viele I/O-Tokens für dieses Gerät</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>I/O saturation %1 % (&gt; %2 %) and P95 I/O wait %3 ms (&gt; %4 ms) with I/O tokens set to %5 (storage type %6), over the last %7 s</source>
        <translation>I/O-Sättigung %1 % (&gt; %2 %) und P95-I/O-Wartezeit %3 ms (&gt; %4 ms) bei I/O-Tokens = %5 (Datenträgertyp %6), in den letzten %7 s</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Lower I/O tokens from %1 to %2: the device cannot serve this queue depth</source>
        <translation>I/O-Tokens von %1 auf %2 senken: Das Gerät kann diese Warteschlangentiefe nicht bedienen</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Lower I/O tokens from %1 to %2, or choose the storage type that matches the device (HDD uses %3)</source>
        <translation>I/O-Tokens von %1 auf %2 senken oder den zum Gerät passenden Datenträgertyp wählen (HDD verwendet %3)</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>I/O tokens are already at %1: the device itself is the bottleneck; use faster storage</source>
        <translation>Die I/O-Tokens stehen bereits auf %1: Das Gerät selbst ist der Engpass; einen schnelleren Datenträger verwenden</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Memory pressure</source>
        <translation>Speicherknappheit</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Memory utilisation %1 % (&gt; %2 %)</source>
        <translation>Speicherauslastung %1 % (&gt; %2 %)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>: %1 used of %2</source>
        <translation>: %1 von %2 belegt</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Lower the chunk size, or lower CPU tokens from %1 to %2 (peak memory is about chunk size × CPU tokens × files in flight)</source>
        <translation>Blockgröße verringern oder CPU-Tokens von %1 auf %2 senken (der Spitzenspeicherbedarf beträgt etwa Blockgröße × CPU-Tokens × parallele Dateien)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Lower the chunk size or the number of files in flight (peak memory is about chunk size × CPU tokens × files in flight)</source>
        <translation>Blockgröße oder Anzahl paralleler Dateien verringern (der Spitzenspeicherbedarf beträgt etwa Blockgröße × CPU-Tokens × parallele Dateien)</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Too few CPU tokens</source>
        <translation>Zu wenige CPU-Tokens</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>P95 CPU wait %1 ms (&gt; %2 ms) while CPU saturation %3 % (&lt; %4 %), over the last %5 s</source>
        <translation>P95-CPU-Wartezeit %1 ms (&gt; %2 ms) bei CPU-Sättigung %3 % (&lt; %4 %), in den letzten %5 s</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Raise CPU tokens from %1 to %2</source>
        <translation>CPU-Tokens von %1 auf %2 erhöhen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>CPU tokens are already at %1, twice the cores (%2): look for other programs competing for the CPU</source>
        <translation>Die CPU-Tokens stehen bereits auf %1, dem Doppelten der Kerne (%2): nach anderen Programmen suchen, die um die CPU konkurrieren</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Workers cannot keep up with the reader</source>
        <translation>Die Worker halten mit dem Lesen nicht Schritt</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Queue depth reached %1 chunks (&gt; %2)</source>
        <translation>Warteschlangentiefe erreichte %1 Blöcke (&gt; %2)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>P95 queue wait %1 ms (&gt; %2 ms)</source>
        <translation>P95-Wartezeit in der Warteschlange %1 ms (&gt; %2 ms)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1, with CPU tokens set to %2 (cores: %3), over the last %4 s</source>
        <translation>%1, bei CPU-Tokens = %2 (Kerne: %3), in den letzten %4 s</translation>
    </message>
    <message>
        <location line="+1"/>
        <source> and </source>
        <translation> und </translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Raise CPU tokens from %1 to %2 so that more workers drain the queue</source>
        <translation>CPU-Tokens von %1 auf %2 erhöhen, damit mehr Worker die Warteschlange abarbeiten</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The processing stages are the bottleneck: CPU tokens already match the cores; choose a faster codec or a lower compression level</source>
        <translation>Die Verarbeitungsstufen sind der Engpass: Die CPU-Tokens entsprechen bereits der Zahl der Kerne; einen schnelleren Codec oder eine niedrigere Kompressionsstufe wählen</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>I/O-bound workload</source>
        <translation>I/O-gebundene Last</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>I/O saturation %1 % (&gt; %2 %) and P95 I/O wait %3 ms (&gt; %4 ms) with I/O tokens set to %5, over the last %6 s</source>
        <translation>I/O-Sättigung %1 % (&gt; %2 %) und P95-I/O-Wartezeit %3 ms (&gt; %4 ms) bei I/O-Tokens = %5, in den letzten %6 s</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Raise I/O tokens from %1 to %2 if the storage can serve more parallel requests</source>
        <translation>I/O-Tokens von %1 auf %2 erhöhen, falls der Datenträger mehr parallele Anfragen bedienen kann</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>CPU-bound workload</source>
        <translation>CPU-gebundene Last</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>CPU saturation %1 % (&gt; %2 %) and P95 CPU wait %3 ms (&lt; %4 ms) with CPU tokens set to %5 (cores: %6), over the last %7 s</source>
        <translation>CPU-Sättigung %1 % (&gt; %2 %) und P95-CPU-Wartezeit %3 ms (&lt; %4 ms) bei CPU-Tokens = %5 (Kerne: %6), in den letzten %7 s</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Raise CPU tokens from %1 to %2 (one per core) for more throughput, at some cost to responsiveness</source>
        <translation>CPU-Tokens von %1 auf %2 erhöhen (eines pro Kern): mehr Durchsatz, etwas weniger Reaktionsfähigkeit</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>CPU tokens underused</source>
        <translation>CPU-Tokens nicht ausgelastet</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>CPU saturation %1 % (&lt; %2 %) with P95 CPU wait %3 ms (&lt; %4 ms) while %5 tasks completed, over the last %6 s</source>
        <translation>CPU-Sättigung %1 % (&lt; %2 %) bei P95-CPU-Wartezeit %3 ms (&lt; %4 ms), während %5 Aufgaben abgeschlossen wurden, in den letzten %6 s</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Raise per-file workers or files in flight so that every CPU token (%1) has work</source>
        <translation>Worker pro Datei oder parallele Dateien erhöhen, damit jedes CPU-Token (%1) Arbeit hat</translation>
    </message>
</context>
<context>
    <name>QDialog</name>
    <message>
        <location filename="../src/app/dialogs.cpp" line="+50"/>
        <location line="+4"/>
        <source>Passphrase</source>
        <translation>Passphrase</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Repeat the passphrase</source>
        <translation>Passphrase wiederholen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Passphrase:</source>
        <translation>&amp;Passphrase:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Repeat:</source>
        <translation>&amp;Wiederholen:</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Without this passphrase the files cannot be restored. It is never stored.</source>
        <translation>Ohne diese Passphrase können die Dateien nicht wiederhergestellt werden. Sie wird nirgends gespeichert.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The passphrase the files were packed with.</source>
        <translation>Die Passphrase, mit der die Dateien gepackt wurden.</translation>
    </message>
</context>
<context>
    <name>TuningPanel</name>
    <message>
        <location filename="../ui/tuningpanel.ui" line="+7"/>
        <source>Tuning</source>
        <translation>Feinabstimmung</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Mode:</source>
        <translation>&amp;Modus:</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Mode</source>
        <translation>Modus</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>&amp;Storage:</source>
        <translation>Da&amp;tenträger:</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Storage type</source>
        <translation>Datenträgertyp</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>detected: Auto</source>
        <translation>erkannt: Auto</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>&amp;CPU tokens:</source>
        <translation>&amp;CPU-Tokens:</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>CPU tokens</source>
        <translation>CPU-Tokens</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>1</source>
        <translation>1</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>&amp;I/O tokens:</source>
        <translation>&amp;I/O-Tokens:</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>I/O tokens</source>
        <translation>I/O-Tokens</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>12</source>
        <translation>12</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Per-file &amp;workers:</source>
        <translation>Wor&amp;ker pro Datei:</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Per-file workers</source>
        <translation>Worker pro Datei</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>4</source>
        <translation>4</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Files in &amp;flight:</source>
        <translation>&amp;Parallele Dateien:</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Files in flight</source>
        <translation>Parallele Dateien</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>C&amp;hunk size:</source>
        <translation>&amp;Blockgröße:</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Chunk size</source>
        <translation>Blockgröße</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Memory &amp;limits:</source>
        <translation>Speicher&amp;limits:</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>no soft limit</source>
        <translation>kein weiches Limit</translation>
    </message>
    <message>
        <location line="+0"/>
        <source> MiB soft</source>
        <translation> MiB weich</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Soft memory limit in MiB</source>
        <translation>Weiches Speicherlimit in MiB</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>no hard limit</source>
        <translation>kein hartes Limit</translation>
    </message>
    <message>
        <location line="+0"/>
        <source> MiB hard</source>
        <translation> MiB hart</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Hard memory limit in MiB</source>
        <translation>Hartes Speicherlimit in MiB</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Co&amp;dec:</source>
        <translation>C&amp;odec:</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Codec</source>
        <translation>Codec</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>level </source>
        <translation>Stufe </translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Compression level</source>
        <translation>Kompressionsstufe</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Ci&amp;pher:</source>
        <translation>&amp;Verschlüsselung:</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Cipher</source>
        <translation>Verschlüsselung</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>&amp;Key source:</source>
        <translation>&amp;Schlüsselquelle:</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Key source</source>
        <translation>Schlüsselquelle</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>&amp;Background mode (lower CPU and I/O priority)</source>
        <translation>Hintergr&amp;undmodus (niedrigere CPU- und I/O-Priorität)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Background mode</source>
        <translation>Hintergrundmodus</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>&amp;Output folder:</source>
        <translation>&amp;Ausgabeordner:</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>beside each input</source>
        <translation>neben der jeweiligen Eingabedatei</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Output folder</source>
        <translation>Ausgabeordner</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>…</source>
        <translation>…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Choose the output folder</source>
        <translation>Ausgabeordner wählen</translation>
    </message>
</context>
<context>
    <name>flowgate::AdvisorPanel</name>
    <message>
        <location filename="../src/app/advisorpanel.cpp" line="+18"/>
        <source>No hints: the governor&apos;s settings fit the current work.</source>
        <translation>Keine Hinweise: Die Einstellungen des Reglers passen zur aktuellen Last.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Advisor hints</source>
        <translation>Hinweise des Beraters</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>Apply</source>
        <translation>Übernehmen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Apply: %1</source>
        <translation>Übernehmen: %1</translation>
    </message>
</context>
<context>
    <name>flowgate::ChartsPanel</name>
    <message>
        <location filename="../src/app/chartspanel.cpp" line="+67"/>
        <source>&amp;Time window:</source>
        <translation>&amp;Zeitfenster:</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>1 minute</source>
        <translation>1 Minute</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>5 minutes</source>
        <translation>5 Minuten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>30 minutes</source>
        <translation>30 Minuten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Whole run</source>
        <translation>Gesamter Lauf</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Time window of the charts</source>
        <translation>Zeitfenster der Diagramme</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+222"/>
        <source>&amp;Freeze</source>
        <translation>&amp;Einfrieren</translation>
    </message>
    <message>
        <location line="-219"/>
        <source>Freeze the charts</source>
        <translation>Diagramme einfrieren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stop updating the charts (samples are still recorded)</source>
        <translation>Diagramme nicht mehr aktualisieren (Messwerte werden weiter aufgezeichnet)</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>time (s)</source>
        <translation>Zeit (s)</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>CPU and I/O saturation</source>
        <translation>CPU- und I/O-Sättigung</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%</source>
        <translation>%</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>CPU %</source>
        <translation>CPU %</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>I/O %</source>
        <translation>I/O %</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Memory</source>
        <translation>Speicher</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+10"/>
        <source>MiB</source>
        <translation>MiB</translation>
    </message>
    <message>
        <location line="-6"/>
        <source>% of capacity</source>
        <translation>% der Kapazität</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>used (MiB)</source>
        <translation>belegt (MiB)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>utilisation %</source>
        <translation>Auslastung %</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Waits for tokens (P50 / P95 / P99, last 10 s)</source>
        <translation>Wartezeit auf Tokens (P50 / P95 / P99, letzte 10 s)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>ms (log)</source>
        <translation>ms (log.)</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>CPU P50</source>
        <translation>CPU P50</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>CPU P95</source>
        <translation>CPU P95</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>CPU P99</source>
        <translation>CPU P99</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>I/O P50</source>
        <translation>I/O P50</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>I/O P95</source>
        <translation>I/O P95</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>I/O P99</source>
        <translation>I/O P99</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>ms</source>
        <translation>ms</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Queue depth and throughput</source>
        <translation>Warteschlangentiefe und Durchsatz</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>chunks queued</source>
        <translation>wartende Blöcke</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+11"/>
        <source>MB/s</source>
        <translation>MB/s</translation>
    </message>
    <message>
        <location line="-8"/>
        <source>queue depth</source>
        <translation>Warteschlange</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>read MB/s</source>
        <translation>gelesen MB/s</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>written MB/s</source>
        <translation>geschrieben MB/s</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>%1 at %2 s: %3 %4</source>
        <translation>%1 bei %2 s: %3 %4</translation>
    </message>
    <message>
        <location line="+58"/>
        <source>&amp;Unfreeze</source>
        <translation>&amp;Einfrieren aufheben</translation>
    </message>
</context>
<context>
    <name>flowgate::Engine</name>
    <message>
        <location filename="../src/core/pipeline/engine.cpp" line="+1678"/>
        <location line="+81"/>
        <source>cancelled before it started</source>
        <translation>vor dem Start abgebrochen</translation>
    </message>
</context>
<context>
    <name>flowgate::FileTask</name>
    <message>
        <location line="-1461"/>
        <location line="+59"/>
        <location line="+92"/>
        <location line="+177"/>
        <location line="+22"/>
        <location line="+206"/>
        <location line="+528"/>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <location line="-800"/>
        <location line="+6"/>
        <location line="+755"/>
        <source>cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <location line="-728"/>
        <source>cannot read %1: %2</source>
        <translation>%1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <location line="+113"/>
        <source>%1 already exists (use --force to overwrite it)</source>
        <translation>%1 existiert bereits (mit --force überschreiben)</translation>
    </message>
    <message>
        <location line="+59"/>
        <source>it is encrypted with the keychain&apos;s master key, but no keychain key was given; use the keychain key source</source>
        <translation>die Datei ist mit dem Hauptschlüssel aus dem Schlüsselbund verschlüsselt, es wurde aber kein Schlüssel aus dem Schlüsselbund angegeben; die Schlüsselquelle „Schlüsselbund“ verwenden</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>it was encrypted with another master key (key id %1; the keychain holds %2): import that key first (if no key has that id, the container&apos;s header is damaged)</source>
        <translation>die Datei wurde mit einem anderen Hauptschlüssel verschlüsselt (Schlüssel-ID %1; der Schlüsselbund enthält %2): diesen Schlüssel zuerst importieren (gibt es keinen Schlüssel mit dieser ID, ist der Kopf des Containers beschädigt)</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>it is protected by a passphrase; give the passphrase</source>
        <translation>die Datei ist durch eine Passphrase geschützt; die Passphrase angeben</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>cannot derive the file key: %1</source>
        <translation>der Dateischlüssel kann nicht abgeleitet werden: %1</translation>
    </message>
    <message>
        <location line="+58"/>
        <source>the cipher is not available: %1</source>
        <translation>das Verschlüsselungsverfahren ist nicht verfügbar: %1</translation>
    </message>
    <message>
        <location line="+11"/>
        <location line="+192"/>
        <location line="+15"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <location line="-197"/>
        <source>encryption needs a key: choose the keychain or a passphrase, or --cipher none</source>
        <translation>Verschlüsselung braucht einen Schlüssel: den Schlüsselbund oder eine Passphrase wählen, oder --cipher none</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>the system&apos;s random generator failed; nothing was encrypted</source>
        <translation>der Zufallsgenerator des Systems ist ausgefallen; es wurde nichts verschlüsselt</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>the job has no random salt (the random generator failed)</source>
        <translation>der Auftrag hat kein zufälliges Salt (der Zufallsgenerator ist ausgefallen)</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>the compatible mode needs a codec (zstd, gzip, lz4 or xz)</source>
        <translation>der kompatible Modus braucht einen Codec (zstd, gzip, lz4 oder xz)</translation>
    </message>
    <message>
        <location line="+43"/>
        <source>%1 changed while being read (it shrank to %2 bytes)</source>
        <translation>%1 hat sich beim Lesen geändert (auf %2 Bytes geschrumpft)</translation>
    </message>
    <message>
        <location line="-592"/>
        <source>%1 changed while being read (size or modification time changed); nothing was written</source>
        <translation>%1 hat sich beim Lesen geändert (Größe oder Änderungszeit); es wurde nichts geschrieben</translation>
    </message>
    <message>
        <location line="+831"/>
        <source>SHA-256 failed</source>
        <translation>SHA-256 fehlgeschlagen</translation>
    </message>
    <message>
        <location line="-210"/>
        <source>codec %1: %2</source>
        <translation>Codec %1: %2</translation>
    </message>
    <message>
        <location line="-628"/>
        <source>%1 changed while being read, or part of it could no longer be read; nothing was written</source>
        <translation>%1 hat sich beim Lesen verändert, oder ein Teil davon war nicht mehr lesbar; es wurde nichts geschrieben</translation>
    </message>
    <message>
        <location line="+340"/>
        <source>removed %1, a temporary file left behind by an interrupted run</source>
        <translation>%1 entfernt, eine temporäre Datei, die ein abgebrochener Lauf hinterlassen hat</translation>
    </message>
    <message>
        <location line="+46"/>
        <source>cannot encrypt %1: the keychain could not give its master key: %2</source>
        <translation>%1 kann nicht verschlüsselt werden: der Schlüsselbund konnte seinen Hauptschlüssel nicht liefern: %2</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>it is encrypted with the keychain&apos;s master key, which the keychain could not give: %1</source>
        <translation>die Datei ist mit dem Hauptschlüssel aus dem Schlüsselbund verschlüsselt, den der Schlüsselbund nicht liefern konnte: %1</translation>
    </message>
    <message>
        <location line="+181"/>
        <location line="+58"/>
        <source>compressing %1 failed: %2</source>
        <translation>Komprimieren von %1 fehlgeschlagen: %2</translation>
    </message>
    <message>
        <location line="+14"/>
        <location line="+252"/>
        <source>encryption failed: %1</source>
        <translation>Verschlüsselung fehlgeschlagen: %1</translation>
    </message>
    <message>
        <location line="-190"/>
        <source>%1 is truncated: the container header is incomplete</source>
        <translation>%1 ist abgeschnitten: der Container-Header ist unvollständig</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>%1 is truncated: chunk %2 of %3 is missing</source>
        <translation>%1 ist abgeschnitten: Block %2 von %3 fehlt</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 is truncated or damaged: it ends after %2 of %3 chunks</source>
        <translation>%1 ist abgeschnitten oder beschädigt: die Datei endet nach %2 von %3 Blöcken</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1: chunk %2: %3</source>
        <translation>%1: Block %2: %3</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1: chunk %2 is out of place (chunks were removed, added or reordered)</source>
        <translation>%1: Block %2 steht an falscher Stelle (Blöcke wurden entfernt, hinzugefügt oder umgeordnet)</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>%1 is truncated inside chunk %2 of %3</source>
        <translation>%1 ist innerhalb von Block %2 von %3 abgeschnitten</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>%1: chunk %2 of %3 is damaged (checksum mismatch)</source>
        <translation>%1: Block %2 von %3 ist beschädigt (Prüfsumme stimmt nicht)</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>%1 is truncated: the trailer is missing</source>
        <translation>%1 ist abgeschnitten: der Trailer fehlt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 is damaged: more chunks than its header announces</source>
        <translation>%1 ist beschädigt: mehr Blöcke, als der Header angibt</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 is damaged: unexpected data after the trailer</source>
        <translation>%1 ist beschädigt: unerwartete Daten nach dem Trailer</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>%1: chunk %2 failed authentication: wrong key or passphrase, or the container was modified or damaged</source>
        <translation>%1: Authentifizierung von Block %2 fehlgeschlagen: falscher Schlüssel oder falsche Passphrase, oder der Container wurde verändert oder beschädigt</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>%1: chunk %2 does not decompress: %3</source>
        <translation>%1: Block %2 lässt sich nicht dekomprimieren: %3</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>%1: authentication failed: wrong key or passphrase, or the container was modified</source>
        <translation>%1: Authentifizierung fehlgeschlagen: falscher Schlüssel oder falsche Passphrase, oder der Container wurde verändert</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1: the trailer failed authentication: the container was modified</source>
        <translation>%1: Authentifizierung des Trailers fehlgeschlagen: der Container wurde verändert</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>%1: the trailer is damaged (checksum mismatch)</source>
        <translation>%1: der Trailer ist beschädigt (Prüfsumme stimmt nicht)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1: the trailer does not match the header</source>
        <translation>%1: der Trailer passt nicht zum Header</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1: the restored data&apos;s SHA-256 does not match the one recorded when it was packed</source>
        <translation>%1: die SHA-256-Prüfsumme der wiederhergestellten Daten stimmt nicht mit der beim Packen aufgezeichneten überein</translation>
    </message>
    <message>
        <location line="+65"/>
        <source>%1: its permissions and modification time could not be restored: %2</source>
        <translation>%1: Zugriffsrechte und Änderungszeit konnten nicht wiederhergestellt werden: %2</translation>
    </message>
</context>
<context>
    <name>flowgate::MainWindow</name>
    <message>
        <location filename="../src/app/mainwindow.cpp" line="+59"/>
        <source>Flowgate</source>
        <translation>Flowgate</translation>
    </message>
    <message>
        <location line="+49"/>
        <source>Queue of files</source>
        <translation>Dateiwarteschlange</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Tuning</source>
        <translation>Feinabstimmung</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Advisor</source>
        <translation>Berater</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>&amp;Add Files…</source>
        <translation>&amp;Dateien hinzufügen…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Add files to the queue</source>
        <translation>Dateien zur Warteschlange hinzufügen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Add files</source>
        <translation>Dateien hinzufügen</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Add &amp;Folder…</source>
        <translation>&amp;Ordner hinzufügen…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Add every file of a folder (recursively)</source>
        <translation>Alle Dateien eines Ordners hinzufügen (rekursiv)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Add folder</source>
        <translation>Ordner hinzufügen</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&amp;Start</source>
        <translation>&amp;Starten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Start the queued files</source>
        <translation>Die wartenden Dateien starten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Start &amp;Selected</source>
        <translation>&amp;Ausgewählte starten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Start the selected queued files</source>
        <translation>Die ausgewählten wartenden Dateien starten</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Pause</source>
        <translation>&amp;Pausieren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Pause: no new chunks are handed out</source>
        <translation>Pausieren: Es werden keine neuen Blöcke ausgegeben</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>&amp;Resume</source>
        <translation>&amp;Fortsetzen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Resume paused files</source>
        <translation>Pausierte Dateien fortsetzen</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>&amp;Cancel</source>
        <translation>Abbre&amp;chen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel running files (temporary outputs are removed)</source>
        <translation>Laufende Dateien abbrechen (temporäre Ausgaben werden entfernt)</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Re&amp;move</source>
        <translation>&amp;Entfernen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove the selected files from the queue</source>
        <translation>Die ausgewählten Dateien aus der Warteschlange entfernen</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>C&amp;lear Finished</source>
        <translation>Fertige entfe&amp;rnen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove finished and cancelled files from the queue</source>
        <translation>Fertige und abgebrochene Dateien aus der Warteschlange entfernen</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Retr&amp;y Failed</source>
        <translation>Erneut &amp;versuchen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Queue the failed files again</source>
        <translation>Die fehlgeschlagenen Dateien erneut einreihen</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Export Metrics as CSV…</source>
        <translation>Messwerte &amp;exportieren…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Write every metrics sample of the session as CSV</source>
        <translation>Alle Messwerte der Sitzung als CSV schreiben</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Export metrics as CSV</source>
        <translation>Messwerte als CSV exportieren</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>CSV files (*.csv)</source>
        <translation>CSV-Dateien (*.csv)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Export metrics</source>
        <translation>Messwerte exportieren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export only the visible time window?
(No exports the whole session.)</source>
        <translation>Nur das sichtbare Zeitfenster exportieren?
(„Nein“ exportiert die ganze Sitzung.)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Export failed</source>
        <translation>Export fehlgeschlagen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Save &amp;Chart as PNG…</source>
        <translation>Diagramm &amp;speichern…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save one chart as a PNG image</source>
        <translation>Ein Diagramm als PNG-Bild speichern</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>saturation</source>
        <translation>Sättigung</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>memory</source>
        <translation>Speicher</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>waits</source>
        <translation>Wartezeiten</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>queue</source>
        <translation>Warteschlange</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Save the %1 chart as PNG (cancel to skip)</source>
        <translation>Diagramm „%1“ als PNG speichern (Abbrechen überspringt es)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>PNG images (*.png)</source>
        <translation>PNG-Bilder (*.png)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Saving failed</source>
        <translation>Speichern fehlgeschlagen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Run &amp;Demo</source>
        <translation>&amp;Demo starten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Generate sample files in a temporary folder and pack them</source>
        <translation>Beispieldateien in einem temporären Ordner erzeugen und packen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+453"/>
        <source>Quit Flowgate</source>
        <translation>Flowgate beenden</translation>
    </message>
    <message>
        <location line="-451"/>
        <source>&amp;About Flowgate</source>
        <translation>&amp;Über Flowgate</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+1"/>
        <source>About Flowgate</source>
        <translation>Über Flowgate</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&lt;h3&gt;Flowgate %1&lt;/h3&gt;&lt;p&gt;Compresses, encrypts and checksums files in parallel under a resource governor that keeps the machine responsive.&lt;/p&gt;&lt;p&gt;BSD-3-Clause licence.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Flowgate %1&lt;/h3&gt;&lt;p&gt;Komprimiert und verschlüsselt Dateien parallel und berechnet ihre Prüfsummen – gesteuert von einem Ressourcenregler, der den Rechner reaktionsfähig hält.&lt;/p&gt;&lt;p&gt;Lizenz: BSD-3-Clause.&lt;/p&gt;</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&amp;Queue</source>
        <translation>&amp;Warteschlange</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Main</source>
        <translation>Hauptwerkzeugleiste</translation>
    </message>
    <message>
        <location line="+45"/>
        <source>Resources:</source>
        <translation>Ressourcen:</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Memory in use (%1) is above the soft limit (%2)</source>
        <translation>Belegter Speicher (%1) liegt über dem weichen Limit (%2)</translation>
    </message>
    <message>
        <location line="+63"/>
        <source>Applied the advisor&apos;s suggestion</source>
        <translation>Vorschlag des Beraters übernommen</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>, about %1 s left</source>
        <translation>, noch etwa %1 s</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 of %2 files done · read %3 · written %4 · %5 MB/s%6</source>
        <translation>%1 von %2 Dateien fertig · gelesen %3 · geschrieben %4 · %5 MB/s%6</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>%1 entries were not added (see the details)</source>
        <translation>%1 Einträge wurden nicht hinzugefügt (siehe Details)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Some entries were not added</source>
        <translation>Einige Einträge wurden nicht hinzugefügt</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>These are Flowgate containers: the mode is now Restore</source>
        <translation>Das sind Flowgate-Container: Der Modus ist jetzt „Wiederherstellen“</translation>
    </message>
    <message>
        <location line="+45"/>
        <source>detected: %1</source>
        <translation>erkannt: %1</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Asking the system keychain for the master key…</source>
        <translation>Hauptschlüssel wird beim System-Schlüsselbund angefragt…</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>The keychain is not available</source>
        <translation>Der Schlüsselbund ist nicht verfügbar</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1

Choose &quot;Passphrase&quot; as the key source in the tuning panel to encrypt with a passphrase instead.</source>
        <translation>%1

Wählen Sie in der Feinabstimmung „Passphrase“ als Schlüsselquelle, um stattdessen mit einer Passphrase zu verschlüsseln.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>New master key</source>
        <translation>Neuer Hauptschlüssel</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A new master key (id %1) was created in the system keychain. Without it your containers cannot be restored. Save a back-up copy now?</source>
        <translation>Im System-Schlüsselbund wurde ein neuer Hauptschlüssel (ID %1) angelegt. Ohne ihn können Ihre Container nicht wiederhergestellt werden. Jetzt eine Sicherungskopie speichern?</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Save the key back-up</source>
        <translation>Schlüsselsicherung speichern</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Key files (*.txt)</source>
        <translation>Schlüsseldateien (*.txt)</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Back-up failed</source>
        <translation>Sicherung fehlgeschlagen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Key back-up saved (keep it somewhere safe and offline)</source>
        <translation>Schlüsselsicherung gespeichert (an einem sicheren Ort offline aufbewahren)</translation>
    </message>
    <message>
        <location line="+60"/>
        <location line="+6"/>
        <source>Cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 samples written to %2</source>
        <translation>%1 Messwerte in %2 geschrieben</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>No such chart</source>
        <translation>Dieses Diagramm gibt es nicht</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Cannot write %1</source>
        <translation>%1 kann nicht geschrieben werden</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Chart saved to %1</source>
        <translation>Diagramm in %1 gespeichert</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Demo</source>
        <translation>Demo</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Cannot create a temporary folder: %1</source>
        <translation>Temporärer Ordner kann nicht angelegt werden: %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Generating sample files in %1…</source>
        <translation>Beispieldateien werden in %1 erzeugt…</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Demo: %1 sample files are being packed into %2</source>
        <translation>Demo: %1 Beispieldateien werden nach %2 gepackt</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Files are still being processed. Cancel them and quit?</source>
        <translation>Es werden noch Dateien verarbeitet. Abbrechen und beenden?</translation>
    </message>
</context>
<context>
    <name>flowgate::QueueModel</name>
    <message>
        <location filename="../src/app/queuemodel.cpp" line="+30"/>
        <source>Queued</source>
        <translation>Wartend</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Running</source>
        <translation>Läuft</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Paused</source>
        <translation>Pausiert</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Done</source>
        <translation>Fertig</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cancelled</source>
        <translation>Abgebrochen</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>%1 MB/s</source>
        <translation>%1 MB/s</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>File</source>
        <translation>Datei</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>State</source>
        <translation>Status</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Progress</source>
        <translation>Fortschritt</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Throughput</source>
        <translation>Durchsatz</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Ratio</source>
        <translation>Verhältnis</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>SHA-256</source>
        <translation>SHA-256</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Message</source>
        <translation>Meldung</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>%1 is already in the queue</source>
        <translation>%1 ist bereits in der Warteschlange</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 does not exist</source>
        <translation>%1 existiert nicht</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 is not a regular file</source>
        <translation>%1 ist keine reguläre Datei</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 cannot be read (permission denied)</source>
        <translation>%1 kann nicht gelesen werden (Zugriff verweigert)</translation>
    </message>
</context>
<context>
    <name>flowgate::TuningPanel</name>
    <message>
        <location filename="../src/app/tuningpanel.cpp" line="+29"/>
        <source>Pack (compress, encrypt, checksum)</source>
        <translation>Packen (komprimieren, verschlüsseln, Prüfsumme)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Restore</source>
        <translation>Wiederherstellen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Verify</source>
        <translation>Prüfen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>NVMe (24 I/O tokens)</source>
        <translation>NVMe (24 I/O-Tokens)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>SSD (12)</source>
        <translation>SSD (12)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>HDD (4)</source>
        <translation>HDD (4)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Auto (12)</source>
        <translation>Auto (12)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Custom</source>
        <translation>Benutzerdefiniert</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>1 to %1 (twice the cores); default %2 = cores - 1</source>
        <translation>1 bis %1 (doppelte Kernzahl); Standard %2 = Kerne - 1</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Automatic (by file size)</source>
        <translation>Automatisch (nach Dateigröße)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 MiB</source>
        <translation>%1 MiB</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>%1 KiB</source>
        <translation>%1 KiB</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>none</source>
        <translation>keiner</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>none (no encryption)</source>
        <translation>keine (unverschlüsselt)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>System keychain (master key)</source>
        <translation>System-Schlüsselbund (Hauptschlüssel)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Passphrase</source>
        <translation>Passphrase</translation>
    </message>
    <message>
        <location line="+48"/>
        <source>Output folder</source>
        <translation>Ausgabeordner</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>%1 (default)</source>
        <translation>%1 (Standard)</translation>
    </message>
</context>
<context>
    <name>flowgate::fgc</name>
    <message>
        <location filename="../src/core/format/containerformat.cpp" line="+137"/>
        <source>not a Flowgate container (unknown signature)</source>
        <translation>kein Flowgate-Container (unbekannte Signatur)</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>damaged container header (format version 0)</source>
        <translation>beschädigter Container-Header (Formatversion 0)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>made by a newer Flowgate (container format %1; this version reads up to %2)</source>
        <translation>von einer neueren Flowgate-Version erstellt (Containerformat %1; diese Version liest bis %2)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>damaged container header (length %1)</source>
        <translation>beschädigter Container-Header (Länge %1)</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>damaged container header (unknown codec %1)</source>
        <translation>beschädigter Container-Header (unbekannter Codec %1)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>damaged container header (level %1 out of range)</source>
        <translation>beschädigter Container-Header (Stufe %1 außerhalb des gültigen Bereichs)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>damaged container header (unknown cipher)</source>
        <translation>beschädigter Container-Header (unbekanntes Verschlüsselungsverfahren)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>damaged container header (unknown key source %1)</source>
        <translation>beschädigter Container-Header (unbekannte Schlüsselquelle %1)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>damaged container header (cipher and key source disagree)</source>
        <translation>beschädigter Container-Header (Verschlüsselungsverfahren und Schlüsselquelle passen nicht zusammen)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>damaged container header (chunk size %1)</source>
        <translation>beschädigter Container-Header (Blockgröße %1)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>damaged container header (original size)</source>
        <translation>beschädigter Container-Header (Originalgröße)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>damaged container header (file mode)</source>
        <translation>beschädigter Container-Header (Dateirechte)</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>damaged container header (passphrase parameters: %1)</source>
        <translation>beschädigter Container-Header (Passphrase-Parameter: %1)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>damaged container header (name length)</source>
        <translation>beschädigter Container-Header (Namenslänge)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>the stored file name &quot;%1&quot; is not a plain file name; refusing to use it</source>
        <translation>der gespeicherte Dateiname „%1“ ist kein einfacher Dateiname und wird nicht verwendet</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>damaged chunk record (bad tag)</source>
        <translation>beschädigter Blockeintrag (ungültige Kennung)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>damaged chunk record (unknown flags)</source>
        <translation>beschädigter Blockeintrag (unbekannte Flags)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>damaged chunk record (plain size %1)</source>
        <translation>beschädigter Blockeintrag (Ursprungsgröße %1)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>damaged chunk record (stored size %1)</source>
        <translation>beschädigter Blockeintrag (gespeicherte Größe %1)</translation>
    </message>
</context>
<context>
    <name>flowgate::posix</name>
    <message>
        <location filename="../src/core/pipeline/posixfile.cpp" line="+90"/>
        <source>cannot read it: %1</source>
        <translation>kann nicht gelesen werden: %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>it is a folder, not a file</source>
        <translation>ist ein Ordner, keine Datei</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>it is a named pipe (FIFO), not a regular file</source>
        <translation>ist eine benannte Pipe (FIFO), keine reguläre Datei</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>it is a device, not a regular file</source>
        <translation>ist ein Gerät, keine reguläre Datei</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>it is a socket, not a regular file</source>
        <translation>ist ein Socket, keine reguläre Datei</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+11"/>
        <source>it is not a regular file</source>
        <translation>ist keine reguläre Datei</translation>
    </message>
    <message>
        <location line="-5"/>
        <source>cannot open it: %1</source>
        <translation>kann nicht geöffnet werden: %1</translation>
    </message>
    <message>
        <location line="+33"/>
        <location line="+7"/>
        <source>read error at byte %1: %2</source>
        <translation>Lesefehler bei Byte %1: %2</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>cannot create a file in %1: %2</source>
        <translation>in %1 kann keine Datei angelegt werden: %2</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>cannot create a temporary file in %1</source>
        <translation>in %1 kann keine temporäre Datei angelegt werden</translation>
    </message>
    <message>
        <location line="+65"/>
        <source>direct write refused: %1</source>
        <translation>direkter Schreibzugriff abgelehnt: %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>the disk is full (%1)</source>
        <translation>der Datenträger ist voll (%1)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>write error: %1</source>
        <translation>Schreibfehler: %1</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>could not flush to disk: %1</source>
        <translation>Daten konnten nicht auf den Datenträger übertragen werden: %1</translation>
    </message>
    <message>
        <location line="+19"/>
        <location line="+24"/>
        <source>cannot move the finished file into place: %1</source>
        <translation>die fertige Datei kann nicht an ihren Zielort verschoben werden: %1</translation>
    </message>
    <message>
        <location line="-15"/>
        <location line="+11"/>
        <source>%1 already exists (use --force to overwrite it)</source>
        <translation>%1 existiert bereits (mit --force überschreiben)</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>cannot set the file mode: %1</source>
        <translation>die Dateirechte können nicht gesetzt werden: %1</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>cannot set the modification time: %1</source>
        <translation>die Änderungszeit kann nicht gesetzt werden: %1</translation>
    </message>
</context>
</TS>
