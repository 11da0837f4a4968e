<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP">
<context>
    <name>KaigoAlgorithm</name>
    <message>
        <source>Analysis</source>
        <translation>分析</translation>
    </message>
    <message>
        <source>Charts and maps</source>
        <translation>図表・地図</translation>
    </message>
    <message>
        <source>E-Stat data</source>
        <translation>e-Statデータ</translation>
    </message>
</context>
<context>
    <name>KaigoProvider</name>
    <message>
        <source>Kaigo resources (地域資源充足率)</source>
        <translation>介護・生活資源（地域資源充足率）</translation>
    </message>
</context>
</TS>
